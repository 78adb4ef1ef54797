-- Inserts or updates one background-map feature.
-- $1 kind, $2 name, $3 source, $4 source_id, $5 geometry WKB
INSERT INTO context_feature AS c (kind, name, source, source_id, geom)
VALUES ($1, $2, $3, $4, ST_GeomFromWKB($5, 4490))
ON CONFLICT (source, kind, source_id) DO UPDATE
SET name = EXCLUDED.name, geom = EXCLUDED.geom
WHERE (c.name, ST_AsBinary(c.geom)) IS DISTINCT FROM (EXCLUDED.name, ST_AsBinary(EXCLUDED.geom));
