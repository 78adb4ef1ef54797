-- Stores a batch of roads of source $1, replacing those of the same
-- source ids: $2 source ids, $3 names, $4 classes, $5 one-way (-1, 0, 1),
-- $6 speeds km/h, $7 lines (hex EWKB, 4490). Costs are length / speed;
-- a one-way road costs -1 against (1) or along (-1) its line.
INSERT INTO road_edge (source_name, source_id, name, class, oneway, speed_kmh, geom, length_m, cost, reverse_cost)
SELECT $1, r.sid, r.name, r.class, r.oneway, r.speed, r.g, r.len,
       CASE WHEN r.oneway = -1 THEN -1 ELSE r.len / (r.speed / 3.6) END,
       CASE WHEN r.oneway = 1 THEN -1 ELSE r.len / (r.speed / 3.6) END
FROM (SELECT u.sid, u.name, u.class, u.oneway, u.speed, g.g, ST_Length(g.g::geography, true) AS len
      FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[], $6::float8[], $7::text[]) AS u (sid, name, class, oneway, speed, line),
           LATERAL (SELECT ST_SetSRID(u.line::geometry, 4490) AS g) g) r
ON CONFLICT (source_name, source_id) DO UPDATE
SET name = EXCLUDED.name, class = EXCLUDED.class, oneway = EXCLUDED.oneway, speed_kmh = EXCLUDED.speed_kmh,
    geom = EXCLUDED.geom, length_m = EXCLUDED.length_m, cost = EXCLUDED.cost, reverse_cost = EXCLUDED.reverse_cost;
