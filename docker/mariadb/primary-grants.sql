-- Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d), after the
-- image created the database, the `randchat` user and the replication user from the environment.
-- It is binary-logged, so the replica gets it too.
-- REPLICA MONITOR lets the API read SHOW REPLICA STATUS on the replica: its read router keeps reads
-- off a replica that stopped replicating or lags more than DATABASE_REPLICA_MAX_LAG.
GRANT REPLICA MONITOR ON *.* TO 'randchat'@'%';
