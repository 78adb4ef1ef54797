-- The circle of $3 metres around lon $1, lat $2 as a polygon (4490, 64
-- segments, on the spheroid's local plane), and its bounding box widened
-- by 1% so that no point on the exact circle falls outside it.
WITH c AS (
    SELECT ST_SetSRID(ST_Buffer(ST_SetSRID(ST_MakePoint($1, $2), 4490)::geography, $3, 'quad_segs=16')::geometry, 4490) AS g
)
SELECT ST_AsHexEWKB(c.g), ST_AsHexEWKB(ST_Expand(ST_Envelope(c.g), greatest(ST_XMax(c.g) - ST_XMin(c.g), ST_YMax(c.g) - ST_YMin(c.g)) * 0.01))
FROM c;
