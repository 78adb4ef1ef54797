-- Zone $1 cut by line $2 (hex EWKB, 4490): each part the line crosses is
-- split (ST_Split); the largest piece of each part, with the parts the
-- line misses, stays the zone's (keep, one row), every other piece is a
-- zone of its own (a row each, the largest first). Counter-clockwise
-- shells, MultiPolygons, as well-known binary.
-- $1 zone id, $2 line
WITH parts AS (
    SELECT d.path[1] AS part, d.geom AS g
    FROM hazard_zone z, ST_Dump(z.geom) d
    WHERE z.id = $1
), pieces AS (
    SELECT p.part, s.geom AS g,
           row_number() OVER (PARTITION BY p.part ORDER BY ST_Area(s.geom::geography) DESC) AS rank
    FROM parts p, ST_Dump(ST_CollectionExtract(ST_Split(p.g, $2::text::geometry), 3)) s
)
SELECT true, ST_AsBinary(ST_ForcePolygonCCW(ST_Multi(ST_Collect(g)))), 0 AS m2 FROM pieces WHERE rank = 1
UNION ALL
SELECT false, ST_AsBinary(ST_ForcePolygonCCW(ST_Multi(g))), ST_Area(g::geography) FROM pieces WHERE rank > 1
ORDER BY 1 DESC, 3 DESC;
