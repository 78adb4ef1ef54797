-- The network's vertices reachable from point $1 (a negative pid, see
-- route_setup) within $2 seconds of driving, with their seconds. On the
-- reversed network: those from which $1 can be reached.
-- $1 start pid, $2 seconds
SELECT v.id, ST_X(v.geom), ST_Y(v.geom), d.agg_cost
FROM pgr_withPointsDD(
    route_edges_sql(), route_points_sql(),
    $1::bigint, $2::float8, directed => true, driving_side => 'b') d
JOIN road_vertex v ON v.id = d.node;
