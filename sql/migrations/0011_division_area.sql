-- 0011: a division's area on the spheroid, kept with its boundary. The
-- regional statistics (the wall asks for the counties' after every
-- change) and the around analysis's population shares divided by
-- ST_Area(geom::geography) of detailed county boundaries on every
-- request: some 60 ms for Lishui's nine counties.
ALTER TABLE admin_division
    ADD COLUMN area_m2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED;
