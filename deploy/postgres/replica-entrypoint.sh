#!/bin/sh
# The streaming replica: on its first start (an empty data directory) a base backup of the primary
# with -R (standby.signal and primary_conninfo written for it) over the slot primary-init.sh made;
# then the image's own entrypoint, which finds the data directory initialised and starts PostgreSQL
# as a hot standby (read-only queries: DATABASE_READ_URL).
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready --host=postgres --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"; do sleep 1; done
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres \
    pg_basebackup --host=postgres --username=replicator --pgdata="$PGDATA" \
      --wal-method=stream --slot=replica_1 --write-recovery-conf --checkpoint=fast
fi
exec docker-entrypoint.sh postgres -c hot_standby=on
