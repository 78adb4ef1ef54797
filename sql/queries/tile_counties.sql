-- County polygons as the MVT layer named $4 ("counties", or
-- "regions_county" for the county four-colour map), with their four-colour
-- summary: the highest grade of the objects in the county (就高) and the
-- count per grade.
-- $1 z int, $2 x int, $3 y int, $4 layer name text, $5 the reader's
-- division prefix (NULL: every county)
WITH b AS (
    SELECT ST_TileEnvelope($1, $2, $3) AS env
)
SELECT ST_AsMVT(t, $4::text, 4096, 'geom', 'id')
FROM (
    SELECT d.code::bigint                          AS id,
           d.code                                  AS adcode,
           d.name,
           coalesce(d.population, 0)               AS population,
           coalesce(s.grade::text, 'unassessed')   AS grade,
           coalesce(s.n_red, 0)        AS n_red,
           coalesce(s.n_orange, 0)     AS n_orange,
           coalesce(s.n_yellow, 0)     AS n_yellow,
           coalesce(s.n_blue, 0)       AS n_blue,
           coalesce(s.n_unassessed, 0) AS n_unassessed,
           ST_AsMVTGeom(d.geom_3857, b.env, 4096, 64, true) AS geom
    FROM admin_division d
    CROSS JOIN b
    LEFT JOIN county_risk s ON s.county_code = d.code
    WHERE d.level = 'county' AND d.geom_3857 && b.env
      AND ($5::text IS NULL OR starts_with(d.code, $5::text))
) t;
