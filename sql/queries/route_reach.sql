-- The network's vertices reachable from point $1 (a negative pid, see
-- route_setup) within $2 seconds of driving, with their seconds. On the
-- reversed network: those from which $1 can be reached.
-- $1 start pid, $2 seconds
SELECT v.id, ST_X(v.geom), ST_Y(v.geom), d.agg_cost
FROM pgr_withPointsDD(
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
    $1::bigint, $2::float8, directed => true, driving_side => 'b') d
JOIN road_vertex v ON v.id = d.node;
