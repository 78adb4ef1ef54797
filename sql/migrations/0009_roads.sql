-- 0009: the road network for dispatch: road edges with their travel
-- costs in seconds and a topology for pgRouting (Debian's
-- postgresql-15-pgrouting). Roads join where their end points meet
-- (snapped to 1e-6°, about 0.1 m): a network must be split at its
-- junctions, as road data for routing is; two roads that only cross are
-- taken to pass over one another (bridges, overpasses).

CREATE EXTENSION IF NOT EXISTS pgrouting;

INSERT INTO layer_version (layer, version) VALUES ('roads', nextval('data_version_seq'));

CREATE TABLE road_vertex (
    id   bigint PRIMARY KEY,
    geom geometry(Point, 4490) NOT NULL
);
CREATE INDEX road_vertex_geom_idx ON road_vertex USING gist (geom);

CREATE TABLE road_edge (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_name  text NOT NULL CHECK (source_name <> ''),
    source_id    text NOT NULL CHECK (source_id <> ''),
    name         text NOT NULL DEFAULT '',
    class        text NOT NULL,
    oneway       smallint NOT NULL CHECK (oneway IN (-1, 0, 1)),
    speed_kmh    double precision NOT NULL CHECK (speed_kmh > 0 AND speed_kmh <= 200),
    geom         geometry(LineString, 4490) NOT NULL CHECK (ST_NPoints(geom) >= 2),
    length_m     double precision NOT NULL,   -- geodesic, on the CGCS2000 spheroid
    source       bigint,                      -- road_vertex ids, set by road_topology()
    target       bigint,
    cost         double precision NOT NULL,   -- seconds along the line; -1: not allowed (pgRouting's convention)
    reverse_cost double precision NOT NULL,   -- seconds against it
    CONSTRAINT road_edge_source_key UNIQUE (source_name, source_id)
);
CREATE INDEX road_edge_geom_idx ON road_edge USING gist (geom);

-- Rebuilds the vertices from the edges' end points and sets every edge's
-- source and target. The points are matched by their EWKB (bytes: a hash
-- join), which takes seconds for 100,000 edges where matching geometries
-- would take minutes.
CREATE FUNCTION road_topology() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE road_vertex;
    WITH ends AS (
        SELECT id, ST_AsEWKB(ST_SnapToGrid(ST_StartPoint(geom), 0.000001)) AS s,
                   ST_AsEWKB(ST_SnapToGrid(ST_EndPoint(geom), 0.000001)) AS t
        FROM road_edge
    ), pts AS (
        SELECT DISTINCT k FROM (SELECT s AS k FROM ends UNION ALL SELECT t FROM ends) x
    ), v AS (
        INSERT INTO road_vertex (id, geom)
        SELECT row_number() OVER (ORDER BY k), ST_GeomFromEWKB(k) FROM pts
        RETURNING id, ST_AsEWKB(geom) AS k
    )
    UPDATE road_edge e
    SET source = vs.id, target = vt.id
    FROM ends, v vs, v vt
    WHERE ends.id = e.id AND vs.k = ends.s AND vt.k = ends.t;
    ANALYZE road_vertex;
    ANALYZE road_edge;
END $$;

-- The edge and point queries that the routing statements give pgRouting
-- (which takes them as SQL text). They read their inputs from settings
-- of the transaction (see sql/queries/route_setup.sql), never from
-- spliced text: riskmap.route_box, the box of edges to route on
-- ('minlon,minlat,maxlon,maxlat', or '' for the whole network);
-- riskmap.route_points, the points as JSON [{"pid", "edge_id",
-- "fraction"}]; riskmap.route_reverse, 'on' for the reversed network
-- (each edge's costs swapped: times to a point rather than from it).
CREATE FUNCTION route_edges_sql() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $e$
    SELECT id, source, target,
           CASE WHEN current_setting('riskmap.route_reverse') = 'on' THEN reverse_cost ELSE cost END AS cost,
           CASE WHEN current_setting('riskmap.route_reverse') = 'on' THEN cost ELSE reverse_cost END AS reverse_cost
    FROM road_edge
    WHERE source IS NOT NULL
      AND (current_setting('riskmap.route_box') = ''
           OR geom && (SELECT ST_MakeEnvelope(b[1], b[2], b[3], b[4], 4490)
                       FROM (SELECT string_to_array(current_setting('riskmap.route_box'), ',')::float8[] AS b) x))
$e$ $f$;

CREATE FUNCTION route_points_sql() RETURNS text
LANGUAGE sql IMMUTABLE AS $f$ SELECT $p$
    SELECT pid, edge_id, fraction
    FROM json_to_recordset(current_setting('riskmap.route_points')::json) AS p (pid bigint, edge_id bigint, fraction float8)
$p$ $f$;
