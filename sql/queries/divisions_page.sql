-- A page of county divisions with their four-colour summary, by code,
-- optionally only those whose boundary meets a bbox.
-- $1 min lon, $2 min lat, $3 max lon, $4 max lat (all NULL for no bbox),
-- $5 limit int, $6 offset int, $7 code text (NULL for any)
SELECT d.code, d.name, d.level, coalesce(d.parent_code, ''), d.population,
       ST_AsBinary(d.geom), ST_AsBinary(d.label_point),
       coalesce(s.grade::text, 'unassessed'),
       coalesce(s.n_red, 0), coalesce(s.n_orange, 0), coalesce(s.n_yellow, 0),
       coalesce(s.n_blue, 0), coalesce(s.n_unassessed, 0)
FROM admin_division d
LEFT JOIN county_risk s ON s.county_code = d.code
WHERE d.level = 'county'
  AND ($1::float8 IS NULL OR ST_Intersects(d.geom, ST_MakeEnvelope($1, $2, $3, $4, 4490)))
  AND ($7::text IS NULL OR d.code = $7)
ORDER BY d.code
LIMIT $5 OFFSET $6;
