-- Imports take turns: a bulk import drops and rebuilds risk_object's
-- indexes, which two at once would deadlock on. Held until the import's
-- transaction ends.
-- $1 lock key bigint
SELECT pg_advisory_xact_lock($1);
