-- Whether polygon geometry $1 (hex EWKB) is valid (OGC rules, GEOS), and
-- if not why and where: the reason and location of ST_IsValidDetail.
-- $1 geometry
SELECT d.valid, coalesce(d.reason, ''), ST_X(d.location), ST_Y(d.location)
FROM ST_IsValidDetail($1::text::geometry) d;
