-- Polygon geometry $1 (hex EWKB) made valid (GEOS's "linework" method:
-- every edge kept, crossings noded), its polygons only (a spike or a
-- collapsed part becomes a line, and is dropped), as hex EWKB; and
-- whether anything is left.
-- $1 geometry
SELECT ST_AsHexEWKB(g), NOT ST_IsEmpty(g)
FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid($1::text::geometry), 3)) AS g) r;
