-- 0010: hazard zoning drawn by planners (domain.md §2.5, §4.6): flood,
-- geological, forest-fire, typhoon and chemical zones with a four-colour
-- grade. hazard_zone holds each zone as it stands now (deleted zones
-- stay, marked); hazard_zone_version holds every version ever saved,
-- the current one included, so any version can be viewed or restored.

INSERT INTO layer_version (layer, version) VALUES ('zones', nextval('data_version_seq'));

CREATE TABLE hazard_zone (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- also the MVT feature id
    version     integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    name        text        NOT NULL CHECK (name <> '' AND length(name) <= 200),
    hazard_type text        NOT NULL CHECK (hazard_type ~ '^[a-z_]{1,40}$'),
    zone_kind   text        NOT NULL CHECK (zone_kind ~ '^[a-z_]{1,40}$'),
    grade       risk_grade  NOT NULL,
    description text        NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    season_from text        CHECK (season_from ~ '^[0-9]{2}-[0-9]{2}$'),  -- MM-DD, each year (汛期 04-15)
    season_to   text        CHECK (season_to ~ '^[0-9]{2}-[0-9]{2}$'),
    valid_from  date,
    valid_to    date,
    source      text        NOT NULL CHECK (source <> '' AND length(source) <= 200),
    drawn_by    text        NOT NULL,
    counties    text[]      NOT NULL,
    area_m2     double precision NOT NULL CHECK (area_m2 > 0),
    geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    geom_3857   geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    last_action text        NOT NULL CHECK (last_action IN ('create', 'update', 'delete', 'restore', 'import', 'split', 'merge')),
    updated_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    deleted_by  text,
    CHECK ((season_from IS NULL) = (season_to IS NULL)),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);
CREATE INDEX hazard_zone_geom_idx ON hazard_zone USING gist (geom) WHERE deleted_at IS NULL;
CREATE INDEX hazard_zone_geom_3857_idx ON hazard_zone USING gist (geom_3857) WHERE deleted_at IS NULL;

CREATE TABLE hazard_zone_version (
    zone_id     bigint      NOT NULL REFERENCES hazard_zone (id),
    version     integer     NOT NULL,
    action      text        NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore', 'import', 'split', 'merge')),
    name        text        NOT NULL,
    hazard_type text        NOT NULL,
    zone_kind   text        NOT NULL,
    grade       risk_grade  NOT NULL,
    description text        NOT NULL,
    season_from text,
    season_to   text,
    valid_from  date,
    valid_to    date,
    source      text        NOT NULL,
    drawn_by    text        NOT NULL,
    counties    text[]      NOT NULL,
    area_m2     double precision NOT NULL,
    geom        geometry(MultiPolygon, 4490) NOT NULL,
    deleted     boolean     NOT NULL,
    saved_by    text        NOT NULL,
    saved_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (zone_id, version)
);

-- Every write of a zone keeps its version: the row as it now is, with
-- what was done and by whom. A version that is already kept is never
-- written again (the primary key refuses it).
CREATE FUNCTION hazard_zone_keep_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.version <> OLD.version + 1 THEN
        RAISE EXCEPTION 'hazard_zone %: version % follows %', NEW.id, NEW.version, OLD.version
            USING ERRCODE = 'serialization_failure';
    END IF;
    INSERT INTO hazard_zone_version (zone_id, version, action, name, hazard_type, zone_kind, grade,
        description, season_from, season_to, valid_from, valid_to, source, drawn_by, counties,
        area_m2, geom, deleted, saved_by, saved_at)
    VALUES (NEW.id, NEW.version, NEW.last_action, NEW.name, NEW.hazard_type,
        NEW.zone_kind, NEW.grade, NEW.description, NEW.season_from, NEW.season_to, NEW.valid_from,
        NEW.valid_to, NEW.source, NEW.drawn_by, NEW.counties, NEW.area_m2, NEW.geom,
        NEW.deleted_at IS NOT NULL, NEW.updated_by, NEW.updated_at);
    RETURN NULL;
END $$;
CREATE TRIGGER hazard_zone_version_ins AFTER INSERT OR UPDATE ON hazard_zone
    FOR EACH ROW EXECUTE FUNCTION hazard_zone_keep_version();

CREATE TRIGGER hazard_zone_bump_ins AFTER INSERT ON hazard_zone
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('zones');
CREATE TRIGGER hazard_zone_bump_upd AFTER UPDATE ON hazard_zone
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('zones');
CREATE TRIGGER hazard_zone_bump_del AFTER DELETE ON hazard_zone
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('zones');
