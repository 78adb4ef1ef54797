-- Releases the lock taken by migrations_lock.sql.
-- $1 lock key bigint
SELECT pg_advisory_unlock($1);
