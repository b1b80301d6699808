import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The repository explains itself: the docs name files that exist, and nothing points outside the
// clone. A renamed or removed file that a doc still cites fails here, so the docs stay true.
const root = new URL('../../', import.meta.url).pathname;
const trackedFiles = () => execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
const documents = ['README.md', ...trackedFiles().filter((file) => file.startsWith('docs/') && file.endsWith('.md'))];

const TOP_FOLDERS = ['kernel', 'events', 'domain', 'commands', 'projections', 'read-api', 'replay', 'app', 'test', 'bench', 'scripts', 'docs', 'bin', '.ci', 'deploy'];

/** Backticked repository paths (`domain/post/caption.ts`, `projections/runtime/`), without placeholders or globs. */
const citedPaths = (text: string): string[] =>
  [...text.matchAll(/`([^`\s]+)`/g)]
    .map((match) => match[1]!.replace(/[:#].*$/, '').replace(/[.,;)]+$/, ''))
    .filter((path) => TOP_FOLDERS.some((folder) => path.startsWith(`${folder}/`)))
    .filter((path) => !/[<>*{}$]/.test(path));

// Spelled in pieces so that this file does not match itself.
const OUTSIDE_FOLDER = ['..', 'shared'].join('/');
const OLD_CITATION = new RegExp(['DESIGN', '§'].join(' '));

describe('the docs', () => {
  it('exist: the README links the architecture and the rules map', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).toContain('(docs/architecture.md)');
    expect(readme).toContain('(docs/rules.md)');
  });

  for (const document of documents) {
    it(`${document} cites only files and folders that exist`, () => {
      const missing = citedPaths(readFileSync(`${root}${document}`, 'utf8')).filter((path) => !existsSync(`${root}${path}`));
      expect(missing).toEqual([]);
    });
  }

  it('no tracked file refers to the brief outside the repository', () => {
    const outside = trackedFiles().filter((file) => {
      if (file === 'package-lock.json' || !existsSync(`${root}${file}`)) return false;
      const text = readFileSync(`${root}${file}`, 'utf8');
      return text.includes(OUTSIDE_FOLDER) || OLD_CITATION.test(text);
    });
    expect(outside).toEqual([]);
  });
});
