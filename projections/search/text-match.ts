// How the PostgreSQL search store decides that a word matches despite typos. pg_trgm finds the
// candidates (the nearest by trigram distance, through a GiST index); the exact rule is applied
// to them here: an edit distance within the allowance of the typed word's length, the same
// allowance as Elasticsearch's `fuzziness: AUTO`, so both adapters forgive the same typos.

/** What users type, as the store compares it: trimmed, lowercased, without a leading '@' or '#'. */
export const normalizeQuery = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/^[@#]+/, '');

/** Edits forgiven in a word of `length` characters: none up to 2, one up to 5, two from 6. */
export const typoAllowance = (length: number): number => (length <= 2 ? 0 : length <= 5 ? 1 : 2);

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
 * (optimal string alignment), over code points so that an accented letter or emoji is one
 * character. Gives up early (returns max + 1) once the distance must exceed `max`.
 */
export const editDistance = (a: string, b: string, max = Infinity): number => {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, beforePrevious[j - 2]! + 1);
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    beforePrevious = previous;
    previous = current;
  }
  const distance = previous[t.length]!;
  return distance > max ? max + 1 : distance;
};

/** The words of a name as search sees them: lowercased, split on anything but letters, marks and digits. */
export const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];

/** The edit distance from `query` to `word` if within the query's allowance, else null. */
export const typoDistance = (query: string, word: string): number | null => {
  const allowance = typoAllowance([...query].length);
  const distance = editDistance(query, word, allowance);
  return distance <= allowance ? distance : null;
};

/** A SQL LIKE pattern matching strings that start with `text`, its wildcards taken literally. */
export const startsWithPattern = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
