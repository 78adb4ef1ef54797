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
-- source and target.
CREATE FUNCTION road_topology() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE road_vertex;
    INSERT INTO road_vertex (id, geom)
    SELECT row_number() OVER (ORDER BY g), g
    FROM (SELECT DISTINCT ST_SnapToGrid(p, 0.000001) AS g
          FROM (SELECT ST_StartPoint(geom) AS p FROM road_edge UNION ALL SELECT ST_EndPoint(geom) FROM road_edge) e) d;
    UPDATE road_edge e
    SET source = s.id, target = t.id
    FROM road_vertex s, road_vertex t
    WHERE s.geom = ST_SnapToGrid(ST_StartPoint(e.geom), 0.000001)
      AND t.geom = ST_SnapToGrid(ST_EndPoint(e.geom), 0.000001);
    ANALYZE road_vertex;
    ANALYZE road_edge;
END $$;
