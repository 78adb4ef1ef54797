-- The area of one isochrone band: the concave hull (ratio 0.3 of the
-- way from convex to the tightest) of points $1, $2 (the vertices
-- reached within the band, and the start), widened by 200 m (a hull of a
-- point or a line is no area), joined with the band inside it $3 (hex
-- EWKB, or NULL) so that bands nest. Returns hex EWKB (4490).
WITH p AS (
    SELECT ST_Collect(ST_SetSRID(ST_MakePoint(x, y), 4490)) AS g
    FROM unnest($1::float8[], $2::float8[]) AS u (x, y)
), h AS (
    SELECT ST_SetSRID(ST_Buffer(ST_ConcaveHull(p.g, 0.3)::geography, 200)::geometry, 4490) AS g
    FROM p
)
SELECT ST_AsHexEWKB(CASE WHEN $3::text IS NULL THEN h.g ELSE ST_Union(h.g, $3::text::geometry) END)
FROM h;
