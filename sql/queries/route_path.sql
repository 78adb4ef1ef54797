-- The fastest path from point $1 to point $2 (negative pids, see
-- route_setup) as a line (hex EWKB, 4490) from $1 to $2, with its seconds
-- and metres; no row when no road joins them. Each step of the path is
-- the part of its edge between the step's node and the next one (a
-- point's fraction, or the edge's start or end), turned the way it was
-- driven.
-- $1 start pid, $2 end pid
WITH w AS (
    SELECT w.path_seq, w.node, w.edge, w.cost, lead(w.node) OVER (ORDER BY w.path_seq) AS next
    FROM pgr_withPoints(
        route_edges_sql(), route_points_sql(),
        $1::bigint, $2::bigint, directed => true, driving_side => 'b') w
), pts AS (
    SELECT p.pid, p.edge_id, p.fraction
    FROM json_to_recordset(current_setting('riskmap.route_points')::json) AS p (pid bigint, edge_id bigint, fraction float8)
), steps AS (
    SELECT w.path_seq, w.cost, e.speed_kmh, e.geom,
           CASE WHEN w.node = e.source THEN 0 WHEN w.node = e.target THEN 1
                ELSE (SELECT p.fraction FROM pts p WHERE -p.pid = w.node) END AS f0,
           CASE WHEN w.next = e.source THEN 0 WHEN w.next = e.target THEN 1
                ELSE (SELECT p.fraction FROM pts p WHERE -p.pid = w.next) END AS f1
    FROM w JOIN road_edge e ON e.id = w.edge
)
SELECT ST_AsHexEWKB(ST_MakeLine(array_agg(
           CASE WHEN f0 <= f1 THEN ST_LineSubstring(geom, f0, f1) ELSE ST_Reverse(ST_LineSubstring(geom, f1, f0)) END
           ORDER BY path_seq))),
       sum(cost), sum(cost * speed_kmh / 3.6)
FROM steps
HAVING count(*) > 0;
