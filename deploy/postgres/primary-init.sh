#!/bin/sh
# Run once by the postgres image's entrypoint when it creates the primary's data directory
# (/docker-entrypoint-initdb.d): the replica's login and its physical slot (the primary keeps the
# WAL the replica has not applied yet), and a pg_hba line letting it stream.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$REPLICATION_PASSWORD" <<'SQL'
create role replicator with replication login password :'password';
select pg_create_physical_replication_slot('replica_1');
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
