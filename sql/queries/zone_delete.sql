-- Marks zone $1 deleted (locked by zone_lock), by $2, as a new version:
-- it leaves the map and the lists, and stays, with its versions, to be
-- restored.
-- $1 id, $2 by, $3 action (delete, or merge: merged into another zone)
UPDATE hazard_zone SET version = version + 1, deleted_at = now(), deleted_by = $2, updated_by = $2,
    updated_at = now(), last_action = $3
WHERE id = $1;
