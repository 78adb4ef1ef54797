-- Locks zone $1 for a write: its version and whether it is deleted.
-- $1 zone id
SELECT version, deleted_at IS NOT NULL FROM hazard_zone WHERE id = $1 FOR UPDATE;
