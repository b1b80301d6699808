import pg from 'pg';

/**
 * A new connection LISTENing on `<prefix>.<schema>` (the schema of the connection's search_path,
 * so that deployments sharing a server in different schemas never hear each other), handing each
 * notification's payload to `onPayload`. A connection that fails to set up is closed and the error
 * rethrown; a lost one later ends (its 'end' event) without crashing the process. Used by the
 * PostgreSQL push bus and the session revocation channel, whose statements notify
 * `'<prefix>.' || current_schema()`.
 */
export const listenOnSchemaChannel = async (config: pg.ClientConfig, prefix: string, onPayload: (payload: string | undefined) => void): Promise<pg.Client> => {
  const client = new pg.Client(config);
  // Without an error listener a lost connection would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
    client.on('notification', (notification) => onPayload(notification.payload));
    await client.query(`listen ${schemaChannel(prefix, rows[0]!.schema)}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
};

/** The quoted channel name of `prefix` in `schema`. */
const schemaChannel = (prefix: string, schema: string): string => `"${prefix}.${schema.replaceAll('"', '""')}"`;
