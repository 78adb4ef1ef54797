-- Each rescue resource's newest position fix recorded since $1, for the
-- map wall: the resources on the map (not retired) with a fix in the
-- window, by id. (resource_position_resource_idx serves the per-resource
-- newest fix.)
-- $1 since timestamptz, $2 the reader's division prefix (NULL: everywhere)
SELECT o.id, o.name, coalesce(o.attributes->>'team_type', ''), coalesce(o.attributes->>'status', ''),
       o.attributes->'incident_id', ST_X(f.geom), ST_Y(f.geom), f.recorded_at, f.received_at, f.accuracy_m
FROM risk_object o
CROSS JOIN LATERAL (
    SELECT p.geom, p.recorded_at, p.received_at, p.accuracy_m
    FROM resource_position p
    WHERE p.resource_id = o.id AND p.recorded_at >= $1
    ORDER BY p.recorded_at DESC, p.id DESC
    LIMIT 1
) f
WHERE o.category = 'rescue_resources' AND o.retired_at IS NULL
  AND ($2::text IS NULL OR starts_with(o.division_code, $2::text))
ORDER BY o.id;
