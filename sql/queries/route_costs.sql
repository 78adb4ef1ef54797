-- Driving from point $1 to each of points $2 (negative pids: pgRouting's
-- way of naming the points of route_setup) along the network set up by
-- route_setup, one Dijkstra from $1 for all of them: per reached end, the
-- seconds and the metres (each edge's seconds × its speed). Run on the
-- reversed network, it gives the times from each end to $1.
-- $1 start pid, $2 end pids bigint[]
SELECT w.end_pid, sum(w.cost), sum(w.cost * e.speed_kmh / 3.6)
FROM pgr_withPoints(
    route_edges_sql(), route_points_sql(),
    $1::bigint, $2::bigint[], directed => true, driving_side => 'b') w
JOIN road_edge e ON e.id = w.edge
GROUP BY w.end_pid;
