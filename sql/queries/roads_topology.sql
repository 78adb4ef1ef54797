-- Rebuilds the network's topology and tells the maps the roads changed.
SELECT road_topology(), bump_layer_versions(ARRAY['roads']);
