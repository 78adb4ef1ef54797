-- Records a position fix of rescue resource $1 (locked first by
-- position_lock, in the same transaction) and, when it is the newest fix
-- of the resource, moves the resource there (so it moves on every map)
-- and announces it on channel riskmap_objects: {"kind": "position",
-- "resource_id", "lon", "lat", "recorded_at", "status", "division"} (the
-- resource's status, "" when it has none, and its division). The announcement goes out when the
-- transaction commits, also when the fix is where the resource already
-- was (then no layer's version moves). Returns whether it moved.
-- $1 resource, $2 lon, $3 lat, $4 accuracy m (NULL), $5 recorded at, $6 source
WITH p AS (
    INSERT INTO resource_position (resource_id, geom, accuracy_m, recorded_at, source)
    VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4490), $4, $5, $6)
    RETURNING resource_id, geom, recorded_at
), newest AS (
    SELECT p.* FROM p
    WHERE NOT EXISTS (SELECT 1 FROM resource_position x WHERE x.resource_id = p.resource_id AND x.recorded_at > p.recorded_at)
), m AS (
    UPDATE risk_object o SET geom = n.geom, updated_at = now()
    FROM newest n WHERE o.id = n.resource_id
    RETURNING o.id, coalesce(o.attributes->>'status', '') AS status, coalesce(o.division_code, '') AS division
), told AS (
    SELECT pg_notify('riskmap_objects', json_build_object('kind', 'position', 'resource_id', n.resource_id,
               'lon', round(ST_X(n.geom)::numeric, 7), 'lat', round(ST_Y(n.geom)::numeric, 7),
               'recorded_at', n.recorded_at, 'status', m.status, 'division', m.division)::text)
    FROM newest n JOIN m ON m.id = n.resource_id
)
SELECT EXISTS (SELECT 1 FROM m) FROM p, (SELECT count(*) FROM told) t;
