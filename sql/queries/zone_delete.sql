-- Marks zone $1 deleted (locked by zone_lock), by $2, as a new version:
-- it leaves the map and the lists, and stays, with its versions, to be
-- restored.
-- $1 id, $2 by
UPDATE hazard_zone SET version = version + 1, deleted_at = now(), deleted_by = $2, updated_by = $2,
    updated_at = now(), last_action = 'delete'
WHERE id = $1;
