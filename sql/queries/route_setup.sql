-- Sets, for the rest of the transaction, what the routing statements'
-- edge and point queries read (route_edges_sql and route_points_sql of
-- migration 0009: pgRouting takes them as SQL text, so they take their
-- inputs from settings, never from spliced text):
-- $1 the box of edges to route on ('minlon,minlat,maxlon,maxlat', or ''
-- for the whole network), $2 the points as JSON [{"pid", "edge_id",
-- "fraction"}], $3 'on' to route on the reversed network (each edge's
-- costs swapped: times to a point rather than from it), else 'off'.
SELECT set_config('riskmap.route_box', $1, true),
       set_config('riskmap.route_points', $2, true),
       set_config('riskmap.route_reverse', $3, true);
