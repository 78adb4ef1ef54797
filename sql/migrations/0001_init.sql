-- 0001: the foundation schema: grades, administrative divisions, risk
-- objects, the offline context basemap, and a data version per layer.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Ordered, so that max(), GREATEST and ORDER BY work on grades.
-- NULL means "not assessed" (grey); it is never blue.
CREATE TYPE risk_grade AS ENUM ('blue', 'yellow', 'orange', 'red');

CREATE TYPE risk_category AS ENUM ('enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters');

-- Display names and colours (no standard fixes the hex values). The map
-- page and geo.Grade carry the same defaults; a later change will serve
-- these rows to the page so that a deployment can change them here.
CREATE TABLE grade_def (
    grade     risk_grade PRIMARY KEY,
    ordinal   smallint   NOT NULL UNIQUE CHECK (ordinal BETWEEN 1 AND 4),
    name_zh   text       NOT NULL,
    name_en   text       NOT NULL,
    color_hex text       NOT NULL CHECK (color_hex ~ '^#[0-9A-Fa-f]{6}$')
);
INSERT INTO grade_def VALUES
    ('blue',   1, '低风险',   'Low',         '#1E6FD9'),
    ('yellow', 2, '一般风险', 'General',     '#FFD700'),
    ('orange', 3, '较大风险', 'Significant', '#FF7F00'),
    ('red',    4, '重大风险', 'Major',       '#E60012');

CREATE TABLE admin_division (
    code        varchar(12) PRIMARY KEY CHECK (code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),  -- GB/T 2260
    name        text        NOT NULL CHECK (name <> ''),
    level       text        NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    parent_code varchar(12),
    population  bigint      CHECK (population >= 0),
    geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    geom_3857   geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    label_point geometry(Point, 4490),
    source      text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_division_geom_idx ON admin_division USING gist (geom);
CREATE INDEX admin_division_geom_3857_idx ON admin_division USING gist (geom_3857);

CREATE TABLE risk_object (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- also the MVT feature id
    category    risk_category NOT NULL,
    name        text          NOT NULL CHECK (name <> ''),
    geom        geometry(Point, 4490) NOT NULL,                   -- CGCS2000 lon/lat (≈ WGS84)
    geom_3857   geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    county_code varchar(6) REFERENCES admin_division (code),
    grade       risk_grade,                                       -- NULL = not assessed
    score       double precision,
    method      text,
    assessed_at timestamptz,
    source      text          NOT NULL CHECK (source <> ''),
    source_id   text          NOT NULL CHECK (source_id <> ''),
    attributes  jsonb         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT risk_object_grade_needs_method CHECK (grade IS NULL OR (method IS NOT NULL AND assessed_at IS NOT NULL)),
    CONSTRAINT risk_object_source_key UNIQUE (category, source, source_id)
);
-- One spatial index, on the Web-Mercator copy: tiles and bbox queries both
-- use it. Every index costs imports time (see geo/postgis Merge), so there
-- are no others until a query needs one.
CREATE INDEX risk_object_geom_3857_idx ON risk_object USING gist (geom_3857);

-- The offline background map: rivers, roads, towns, seats, label points.
CREATE TABLE context_feature (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('river', 'road', 'town', 'seat', 'county_label')),
    name      text NOT NULL DEFAULT '',
    source    text NOT NULL,
    source_id text NOT NULL,
    geom      geometry(Geometry, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    geom_3857 geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    CONSTRAINT context_feature_source_key UNIQUE (source, kind, source_id)
);
CREATE INDEX context_feature_geom_3857_idx ON context_feature USING gist (geom_3857);

-- One version per layer, taken from one sequence, so versions only grow.
-- Every committed write to a layer's data moves its version (tile caches
-- key on it) and notifies channel riskmap_layers with the layer names.
CREATE SEQUENCE data_version_seq;
CREATE TABLE layer_version (
    layer      text PRIMARY KEY,
    version    bigint      NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO layer_version (layer, version)
SELECT l, nextval('data_version_seq')
FROM unnest(ARRAY['enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters', 'counties', 'context']) AS l;

CREATE FUNCTION bump_layer_versions(layers text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE layer_version SET version = nextval('data_version_seq'), changed_at = now()
    WHERE layer = ANY (layers);
    PERFORM pg_notify('riskmap_layers', array_to_string(layers, ','));
END $$;

-- Statement-level triggers with transition tables: one bump per statement
-- and layer, however many rows it touched, and none when it touched none.
CREATE FUNCTION risk_object_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cats text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT category::text) INTO cats FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT category::text) INTO cats FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT c) INTO cats
        FROM (SELECT category::text AS c FROM new_rows UNION SELECT category::text FROM old_rows) s;
    END IF;
    IF cats IS NOT NULL THEN
        -- county features carry per-grade counts, so they change too
        PERFORM bump_layer_versions(cats || 'counties'::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER risk_object_bump_ins AFTER INSERT ON risk_object
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_object_bump();
CREATE TRIGGER risk_object_bump_upd AFTER UPDATE ON risk_object
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_object_bump();
CREATE TRIGGER risk_object_bump_del AFTER DELETE ON risk_object
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_object_bump();

CREATE FUNCTION layer_table_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT EXISTS (SELECT 1 FROM old_rows) INTO touched;
    ELSE
        SELECT EXISTS (SELECT 1 FROM new_rows) INTO touched;
    END IF;
    IF touched THEN
        PERFORM bump_layer_versions(ARRAY[TG_ARGV[0]]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER admin_division_bump_ins AFTER INSERT ON admin_division
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('counties');
CREATE TRIGGER admin_division_bump_upd AFTER UPDATE ON admin_division
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('counties');
CREATE TRIGGER admin_division_bump_del AFTER DELETE ON admin_division
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('counties');
CREATE TRIGGER context_feature_bump_ins AFTER INSERT ON context_feature
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('context');
CREATE TRIGGER context_feature_bump_upd AFTER UPDATE ON context_feature
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('context');
CREATE TRIGGER context_feature_bump_del AFTER DELETE ON context_feature
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('context');

-- The four-colour summary of each county: its highest grade (就高; NULL,
-- i.e. grey, when nothing in it is assessed, never blue) and the count per
-- grade.
CREATE VIEW county_risk AS
SELECT county_code,
       max(grade)                               AS grade,
       count(*) FILTER (WHERE grade = 'red')    AS n_red,
       count(*) FILTER (WHERE grade = 'orange') AS n_orange,
       count(*) FILTER (WHERE grade = 'yellow') AS n_yellow,
       count(*) FILTER (WHERE grade = 'blue')   AS n_blue,
       count(*) FILTER (WHERE grade IS NULL)    AS n_unassessed
FROM risk_object
GROUP BY county_code;

-- A risk object as the API shows it, with its county's name.
CREATE VIEW risk_object_card AS
SELECT o.id, o.category, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.geom,
       coalesce(o.county_code, '') AS county_code, coalesce(d.name, '') AS county_name,
       coalesce(o.grade::text, 'unassessed') AS grade, o.score, coalesce(o.method, '') AS method, o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code;
