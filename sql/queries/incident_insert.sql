-- Reports an incident at lon $5, lat $6 (CGCS2000), in the county there
-- (none outside every county). Returns its id.
-- $1 kind, $2 level, $3 title, $4 description, $5 lon, $6 lat, $7 reported at, $8 actor
INSERT INTO incident (kind, level, title, description, geom, county_code, reported_at, created_by)
SELECT $1, $2, $3, $4, p.g,
       (SELECT d.code FROM admin_division d WHERE d.level = 'county' AND ST_Intersects(d.geom, p.g) ORDER BY d.code LIMIT 1),
       $7, $8
FROM (SELECT ST_SetSRID(ST_MakePoint($5, $6), 4490) AS g) p
RETURNING id;
