// Text tables for people: each column as wide as its widest cell (header included), whatever the
// content (projection names, backends, numbers), so that columns never run together.

export interface Column {
  header: string;
  /** Numbers read best right-aligned; default left. */
  align?: 'left' | 'right';
}

const GAP = '  ';

/** The header line, then one line per row, without trailing spaces. */
export const formatTable = (columns: readonly Column[], rows: readonly (readonly string[])[]): string[] => {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => (column.align === 'right' ? (cells[i] ?? '').padStart(widths[i]!) : (cells[i] ?? '').padEnd(widths[i]!)))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
};
