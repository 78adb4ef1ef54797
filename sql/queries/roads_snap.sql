-- Snaps points to the network: for each point ($1 lons, $2 lats, in
-- order) the nearest road edge (KNN on the edges' index, within $3
-- degrees; none farther) with the fraction along it of the point's
-- projection and the geodesic metres from the point to it. The fraction
-- is kept a millionth of the edge from its ends: pgRouting takes a point
-- at an end for the vertex and loses it.
-- A point within 1e-5° (about a metre) of a vertex is that vertex
-- (its id, else NULL): a point at a junction joins every road there.
SELECT p.i, e.id, e.fraction, e.metres, v.id, v.metres
FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p (lon, lat, i)
LEFT JOIN LATERAL (
    SELECT x.id, ST_Distance(x.geom::geography, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)::geography, true) AS metres
    FROM road_vertex x
    WHERE ST_DWithin(x.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490), 0.00001)
    ORDER BY x.geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)
    LIMIT 1
) v ON true
LEFT JOIN LATERAL (
    SELECT r.id,
           least(greatest(ST_LineLocatePoint(r.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)), 0.000001), 0.999999) AS fraction,
           ST_Distance(r.geom::geography, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)::geography, true) AS metres
    FROM road_edge r
    WHERE r.source IS NOT NULL
      AND ST_DWithin(r.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490), $3)
    ORDER BY r.geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4490)
    LIMIT 1
) e ON true
ORDER BY p.i;
