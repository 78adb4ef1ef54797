-- The zones (not deleted) whose areas overlap zone $1's, with the area
-- they share (m², spheroid) and its share of each.
-- $1 zone id
WITH z AS (
    SELECT id, geom, area_m2 FROM hazard_zone WHERE id = $1
)
SELECT o.id, o.name, o.hazard_type, o.grade::text, x.m2, x.m2 / z.area_m2, x.m2 / o.area_m2
FROM hazard_zone o
JOIN z ON o.id <> z.id AND o.geom && z.geom AND ST_Intersects(o.geom, z.geom)
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(o.geom, z.geom)::geography) AS m2) x
WHERE o.deleted_at IS NULL AND x.m2 > 0
ORDER BY x.m2 DESC, o.id;
