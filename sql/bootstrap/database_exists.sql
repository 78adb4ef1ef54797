-- Whether the riskmap database exists in the embedded cluster (psql -tA).
SELECT count(*) FROM pg_database WHERE datname = 'riskmap';
