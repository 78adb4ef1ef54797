-- Assigns resource $2 to incident $1: records the assignment and marks
-- the resource dispatched to it. The unique index on active assignments
-- refuses a resource that has one already. Returns the assignment's id.
-- $1 incident, $2 resource, $3 previous status, $4 straight metres,
-- $5 road seconds (NULL: none), $6 eta method, $7 actor
WITH a AS (
    INSERT INTO dispatch_assignment (incident_id, resource_id, previous_status, straight_m, eta_s, eta_method, assigned_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    RETURNING id
), o AS (
    UPDATE risk_object
    SET attributes = attributes || jsonb_build_object('status', 'dispatched', 'incident_id', $1::bigint),
        updated_at = now()
    WHERE id = $2
    RETURNING id
)
SELECT a.id FROM a, o;
