-- The server's connection limits, for sizing the pool: max_connections,
-- the slots reserved for superusers (and, from PostgreSQL 16, for roles
-- with pg_use_reserved_connections), and the client connections open now
-- (this one included).
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int
         + coalesce(current_setting('reserved_connections', true)::int, 0),
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int;
