-- Releases the active assignments of incident $1 (with $2 not NULL, only
-- that resource's), giving each resource back the status it had, unless
-- something else changed it meanwhile. Returns the resources released.
-- $1 incident, $2 resource (NULL: all), $3 actor
WITH r AS (
    UPDATE dispatch_assignment
    SET released_at = now(), released_by = $3
    WHERE incident_id = $1 AND released_at IS NULL AND ($2::bigint IS NULL OR resource_id = $2)
    RETURNING resource_id, previous_status
), o AS (
    UPDATE risk_object o
    SET attributes = (o.attributes - 'incident_id') || jsonb_build_object('status', r.previous_status),
        updated_at = now()
    FROM r
    WHERE o.id = r.resource_id AND o.attributes->>'status' = 'dispatched'
    RETURNING o.id
)
SELECT r.resource_id FROM r ORDER BY r.resource_id;
