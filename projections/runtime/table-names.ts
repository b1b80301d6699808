// Table names of the PostgreSQL read models, which are spliced into SQL unquoted.

/** A plain lowercase SQL identifier: safe to splice into a statement as it is. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * A read model's table names under `prefix`, so that a rebuild can fill a new generation beside
 * the live one. The prefix is checked, since it ends up in SQL.
 */
export const prefixedTables = <T extends Record<string, string>>(prefix: string, names: T): { [K in keyof T]: string } => {
  if (!SQL_IDENTIFIER.test(prefix)) throw new Error(`not a table-name prefix: ${JSON.stringify(prefix)}`);
  return Object.fromEntries(Object.entries(names).map(([key, name]) => [key, `${prefix}${name}`])) as { [K in keyof T]: string };
};
