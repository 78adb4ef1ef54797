-- Waits for the session-level lock that keeps two processes from migrating at once.
-- $1 lock key bigint
SELECT pg_advisory_lock($1);
