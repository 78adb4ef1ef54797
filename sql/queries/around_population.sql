-- The counties area $1 (a polygon, 4490) touches: the share of each
-- county's area inside it and the county's population (NULL: unknown).
SELECT d.code, d.name, d.population,
       ST_Area(ST_Intersection(d.geom, $1::text::geometry)::geography) / nullif(d.area_m2, 0)
FROM admin_division d
WHERE d.level = 'county' AND d.geom && $1::text::geometry AND ST_Intersects(d.geom, $1::text::geometry)
ORDER BY d.code;
