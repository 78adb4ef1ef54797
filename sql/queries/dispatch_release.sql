-- Ends the active assignments of incident $1 (with $2 not NULL, only
-- that resource's). Returns each resource with the status to give back.
-- $1 incident, $2 resource (NULL: all), $3 actor
UPDATE dispatch_assignment
SET released_at = now(), released_by = $3
WHERE incident_id = $1 AND released_at IS NULL AND ($2::bigint IS NULL OR resource_id = $2)
RETURNING resource_id, previous_status;
