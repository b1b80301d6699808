import type { Page, PageRequest } from '../../projections/runtime/page.js';

/**
 * Every item of a list, `limit` at a time, following the cursors to the end; `onPage` may check
 * each page. Small limits make tests use every cursor the list hands out.
 */
export const allPages = async <T>(
  read: (page: PageRequest) => Promise<Page<T>>,
  limit = 1,
  { maxPages = 1_000, onPage }: { maxPages?: number; onPage?: (page: Page<T>) => void } = {},
): Promise<T[]> => {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await read({ cursor, limit });
    onPage?.(page);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
};
