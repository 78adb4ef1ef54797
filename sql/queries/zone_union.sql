-- The union of zones $1's areas, as well-known binary (a MultiPolygon
-- when they do not touch).
-- $1 zone ids
SELECT ST_AsBinary(ST_ForcePolygonCCW(ST_Multi(ST_Union(geom)))) FROM hazard_zone WHERE id = ANY ($1::bigint[]);
