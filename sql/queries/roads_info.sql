-- The road network's size: edges and vertices.
SELECT (SELECT count(*) FROM road_edge), (SELECT count(*) FROM road_vertex);
