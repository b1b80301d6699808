// README's Errors table, generated from the error catalogue (kernel/errors.ts) so that it is never
// kept by hand:
//
//   npm run docs:errors     # rewrites the table between the markers in README.md
//
// test/unit/app/error-catalogue.test.ts fails when README's table is not this one.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codesOfStatus, errorStatuses, type ErrorStatus } from '../kernel/errors.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const TABLE_START = '<!-- errors table: generated from kernel/errors.ts by `npm run docs:errors` -->';
export const TABLE_END = '<!-- end of errors table -->';

/** The markdown table: one row per status, with what it means and its codes. */
export const errorTable = (): string => {
  const rows = (Object.keys(errorStatuses).map(Number) as ErrorStatus[]).map(
    (status) => `| ${status} | ${errorStatuses[status]} | ${codesOfStatus(status).map((code) => `\`${code}\``).join(', ')} |`,
  );
  return ['| status | when | codes |', '|---|---|---|', ...rows].join('\n');
};

/** README's text with the table between the markers replaced by `table`. */
export const withTable = (readme: string, table: string): string => {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no "${TABLE_START}" ... "${TABLE_END}" markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, withTable(readFileSync(README, 'utf8'), errorTable()));
  console.log('README.md: errors table regenerated from kernel/errors.ts');
}
