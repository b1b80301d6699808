import type pg from 'pg';

// What a statement really reads, for tests that bound the work of a query by rows, never by time:
// a pool that records every statement sent through it, and EXPLAIN ANALYZE of one of them.

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** `pool`, recording the text and parameters of every `query` sent through it in `sent`. */
export const recordingPool = (pool: pg.Pool, sent: { text: string; values: unknown[] }[]): pg.Pool =>
  new Proxy(pool, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (property !== 'query') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return (text: string, values: unknown[]) => {
        sent.push({ text, values });
        return target.query(text, values);
      };
    },
  }) as pg.Pool;

/**
 * The plan nodes of `statement` run again under EXPLAIN ANALYZE, with the statistics a live read
 * model has (autovacuum; a rebuild analyzes). A table of a few thousand rows is cheaper to read
 * whole than through an index, so the planner would pick that in a test; at the sizes the bounds
 * are for it picks the index, which is what is forced here: the test checks that the statement
 * has a bounded plan, the indexes it needs included.
 */
export const explainAnalyze = async (pool: pg.Pool, statement: { text: string; values: unknown[] }): Promise<PlanNode[]> => {
  const client = await pool.connect();
  try {
    await client.query('analyze');
    await client.query('begin');
    await client.query('set local enable_seqscan = off');
    await client.query('set local enable_bitmapscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json) ${statement.text}`, statement.values);
    return nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
  } finally {
    await client.query('rollback');
    client.release();
  }
};

/** Rows read from a table by the plan's scans of it: returned or filtered out, in every loop. */
export const rowsReadFrom = (nodes: readonly PlanNode[], table: string): number =>
  nodes
    .filter((n) => n['Relation Name'] === table)
    .reduce((sum, n) => sum + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'], 0);
