-- The position fixes of resource $1 recorded since $2, oldest first.
-- $1 resource, $2 since timestamptz
SELECT ST_X(p.geom), ST_Y(p.geom), p.recorded_at
FROM resource_position p
WHERE p.resource_id = $1 AND p.recorded_at >= $2
ORDER BY p.recorded_at, p.id;
