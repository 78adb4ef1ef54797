-- Places a valid polygon geometry in the service area, the county
-- boundaries: optionally snapped to the boundaries first ($2, a tolerance
-- in degrees, or NULL: vertices that near a boundary move onto it), optionally clipped to them ($3). Returns the
-- number of counties there are, the codes of those the zone touches,
-- the part outside the service area (m², and a point in it), and the
-- result: counter-clockwise shells (RFC 7946), a MultiPolygon, with its
-- area (m², on the spheroid), validity and emptiness, as hex EWKB.
-- $1 geometry (hex EWKB, 4490), $2 snap tolerance (degrees) or NULL, $3 clip
WITH z0 AS (
    SELECT $1::text::geometry AS g
), near AS (
    SELECT d.code, d.geom FROM admin_division d, z0
    WHERE d.level = 'county' AND ST_DWithin(d.geom, z0.g, coalesce($2::float8, 0))
), z1 AS (
    SELECT CASE WHEN $2::float8 IS NULL OR NOT EXISTS (SELECT 1 FROM near) THEN z0.g
                -- ST_Snap moves vertices to the reference's vertices:
                -- the boundaries, with a vertex every half tolerance
                ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Snap(z0.g,
                        (SELECT ST_Segmentize(ST_Collect(ST_Boundary(n.geom)), $2::float8 / 2) FROM near n), $2::float8)), 3))
           END AS g
    FROM z0
), area AS (
    SELECT ST_Union(n.geom) AS g, array_agg(n.code ORDER BY n.code) AS codes
    FROM near n, z1 WHERE ST_Intersects(n.geom, z1.g)
), outside AS (
    SELECT CASE WHEN area.g IS NULL THEN z1.g ELSE ST_Difference(z1.g, area.g) END AS g
    FROM z1, area
), z2 AS (
    SELECT ST_ForcePolygonCCW(ST_Multi(ST_CollectionExtract(
               CASE WHEN $3::boolean AND area.g IS NOT NULL THEN ST_Intersection(z1.g, area.g) ELSE z1.g END, 3))) AS g
    FROM z1, area
)
SELECT (SELECT count(*) FROM admin_division WHERE level = 'county'),
       coalesce(area.codes, '{}'),
       coalesce(ST_Area(outside.g::geography), 0),
       ST_X(ST_PointOnSurface(outside.g)), ST_Y(ST_PointOnSurface(outside.g)),
       ST_Area(z1.g::geography),
       ST_AsHexEWKB(z2.g), ST_IsValid(z2.g), ST_IsEmpty(z2.g), coalesce(ST_Area(z2.g::geography), 0)
FROM z1, area, outside, z2;
