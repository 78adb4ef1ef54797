-- Transforms points from EPSG $3 to CGCS2000 lon/lat, in order; NULLs for
-- points the source system cannot transform.
-- $1 x float8[], $2 y float8[], $3 srid int
SELECT ST_X(g), ST_Y(g)
FROM (
    SELECT u.i, riskmap_transform_or_null(ST_SetSRID(ST_MakePoint(u.x, u.y), $3), 4490) AS g
    FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, i)
) s
ORDER BY s.i;
