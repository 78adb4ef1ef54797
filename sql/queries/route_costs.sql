-- Driving from point $1 to each of points $2 (negative pids: pgRouting's
-- way of naming the points of route_setup) along the network set up by
-- route_setup, one Dijkstra from $1 for all of them: per reached end, the
-- seconds and the metres (each edge's seconds × its speed). Run on the
-- reversed network, it gives the times from each end to $1.
-- $1 start pid, $2 end pids bigint[]
SELECT w.end_pid, sum(w.cost), sum(w.cost * e.speed_kmh / 3.6)
FROM pgr_withPoints(
    $e$SELECT id, source, target,
           CASE WHEN current_setting('riskmap.route_reverse') = 'on' THEN reverse_cost ELSE cost END AS cost,
           CASE WHEN current_setting('riskmap.route_reverse') = 'on' THEN cost ELSE reverse_cost END AS reverse_cost
    FROM road_edge
    WHERE source IS NOT NULL
      AND (current_setting('riskmap.route_box') = ''
           OR geom && (SELECT ST_MakeEnvelope(b[1], b[2], b[3], b[4], 4490)
                       FROM (SELECT string_to_array(current_setting('riskmap.route_box'), ',')::float8[] AS b) x))$e$,
    $p$SELECT pid, edge_id, fraction
    FROM json_to_recordset(current_setting('riskmap.route_points')::json) AS p (pid bigint, edge_id bigint, fraction float8)$p$,
    $1::bigint, $2::bigint[], directed => true, driving_side => 'b') w
JOIN road_edge e ON e.id = w.edge
GROUP BY w.end_pid;
