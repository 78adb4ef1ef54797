-- 0003: grading as data, immutable assessments, hidden hazards and their
-- closed loop, and per-region counts kept current by triggers.

-- Grading schemes and override rules (geo/grading): every change is a
-- new version; the latest version of each code or key is in force. The
-- definitions are the JSON that geo/grading validates.
CREATE TABLE grading_scheme (
    code       text        NOT NULL,
    version    integer     NOT NULL CHECK (version >= 1),
    definition jsonb       NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    loaded_by  text        NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, version)
);
CREATE TABLE grading_rule (
    key        text        NOT NULL,
    version    integer     NOT NULL CHECK (version >= 1),
    definition jsonb       NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    loaded_by  text        NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, version)
);

-- The current assessment of an object, as geo/grading's Result (scheme,
-- inputs, score, native level, scored grade, rules applied, final grade);
-- NULL when never assessed. grade, score and method mirror it.
ALTER TABLE risk_object ADD COLUMN assessment jsonb CHECK (assessment IS NULL OR jsonb_typeof(assessment) = 'object');

-- Every grade an object has had comes from one of these rows, which are
-- never changed or deleted.
CREATE TABLE risk_assessment (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- No foreign key: objects are never deleted (a replacing import
    -- retires them), and checking one per row would lock every object a
    -- million-row import assesses.
    object_id   bigint      NOT NULL,
    scheme      text,                       -- NULL when no scheme graded it (rules alone, or nothing)
    version     integer,
    result      jsonb       NOT NULL CHECK (jsonb_typeof(result) = 'object'),
    from_grade  risk_grade,                 -- the grade before, NULL = unassessed
    grade       risk_grade,                 -- the final grade, NULL = unassessed
    reason      text        NOT NULL CHECK (reason IN ('import', 'api', 'recompute', 'hidden_hazard')),
    assessed_by text        NOT NULL,
    assessed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_assessment_object_idx ON risk_assessment (object_id, id DESC);

CREATE FUNCTION riskmap_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows are never changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER risk_assessment_append_only BEFORE UPDATE OR DELETE ON risk_assessment
    FOR EACH ROW EXECUTE FUNCTION riskmap_append_only();
CREATE TRIGGER risk_assessment_no_truncate BEFORE TRUNCATE ON risk_assessment
    FOR EACH STATEMENT EXECUTE FUNCTION riskmap_append_only();

-- Hidden hazards (隐患) and their closed loop (../shared/docs/domain.md
-- §2.6): reported → assigned (交办/督办) → rectifying → pending_acceptance →
-- accepted → closed (销号); general ones may be closed on the spot.
CREATE TYPE hh_level AS ENUM ('general', 'major');
CREATE TYPE hh_state AS ENUM ('reported', 'assigned', 'rectifying', 'pending_acceptance', 'accepted', 'closed', 'invalid');

CREATE TABLE hidden_hazard (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- also the MVT feature id
    code               text        NOT NULL UNIQUE CHECK (code <> ''),   -- 隐患编号
    object_id          bigint      REFERENCES risk_object (id),          -- NULL for a hazard at a place
    title              text        NOT NULL CHECK (title <> ''),
    description        text        NOT NULL DEFAULT '',
    level              hh_level    NOT NULL,
    discovery_source   text        NOT NULL CHECK (discovery_source IN
                          ('self_check', 'inspection', 'covert_inspection', 'report', 'patrol', 'monitoring_alarm', 'upper_assigned')),
    found_on           date        NOT NULL,
    geom               geometry(Point, 4490) NOT NULL,
    geom_3857          geometry(Point, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    county_code        varchar(6)  REFERENCES admin_division (code),
    state              hh_state    NOT NULL DEFAULT 'reported',
    responsible_unit   text,
    responsible_person text,
    rectify_deadline   date,
    -- 督办: the level that supervises, and its window from 交办 (60 days
    -- city, 30 county by default).
    supervision_level  text        CHECK (supervision_level IN ('county', 'city', 'province')),
    assigned_on        date,
    supervision_days   smallint    CHECK (supervision_days > 0),
    supervision_deadline date GENERATED ALWAYS AS (assigned_on + supervision_days) STORED,
    plan               jsonb,      -- 治理方案 (令16号 Art. 15), required for major ones before 交办
    evidence           jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence) = 'array'),
    closed_on          date,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hidden_hazard_assigned_fields CHECK (state IN ('reported', 'invalid')
        OR (responsible_unit IS NOT NULL AND rectify_deadline IS NOT NULL AND assigned_on IS NOT NULL AND supervision_days IS NOT NULL)),
    CONSTRAINT hidden_hazard_major_plan CHECK (level <> 'major' OR state IN ('reported', 'invalid')
        OR (plan IS NOT NULL AND plan ?& ARRAY['goal', 'methods', 'funds_materials', 'org_people', 'timeline', 'safety_contingency'])),
    CONSTRAINT hidden_hazard_closed_fields CHECK (state <> 'closed' OR (closed_on IS NOT NULL AND jsonb_array_length(evidence) > 0))
);
CREATE INDEX hidden_hazard_object_idx ON hidden_hazard (object_id) WHERE state NOT IN ('closed', 'invalid');
CREATE INDEX hidden_hazard_geom_3857_idx ON hidden_hazard USING gist (geom_3857);

-- Every step of the loop, with who and when; never changed.
CREATE TABLE hidden_hazard_event (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hazard_id  bigint      NOT NULL REFERENCES hidden_hazard (id),
    action     text        NOT NULL,
    from_state hh_state,
    to_state   hh_state    NOT NULL,
    actor      text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    note       text        NOT NULL DEFAULT '',
    details    jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX hidden_hazard_event_hazard_idx ON hidden_hazard_event (hazard_id, id);
CREATE TRIGGER hidden_hazard_event_append_only BEFORE UPDATE OR DELETE ON hidden_hazard_event
    FOR EACH ROW EXECUTE FUNCTION riskmap_append_only();

-- A hazard's derived flags, on a local (Asia/Shanghai) date.
CREATE VIEW hidden_hazard_status AS
SELECT h.*,
       (h.rectify_deadline IS NOT NULL AND (now() AT TIME ZONE 'Asia/Shanghai')::date > h.rectify_deadline
        AND h.state NOT IN ('accepted', 'closed', 'invalid')) AS overdue,
       (h.supervision_deadline IS NOT NULL AND (now() AT TIME ZONE 'Asia/Shanghai')::date > h.supervision_deadline
        AND h.state NOT IN ('closed', 'invalid')) AS supervision_overdue
FROM hidden_hazard h;

INSERT INTO layer_version (layer, version) VALUES ('hidden_hazards', nextval('data_version_seq'));
CREATE TRIGGER hidden_hazard_bump_ins AFTER INSERT ON hidden_hazard
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('hidden_hazards');
CREATE TRIGGER hidden_hazard_bump_upd AFTER UPDATE ON hidden_hazard
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION layer_table_bump('hidden_hazards');

-- Per-county counts for the four-colour regional map: one row per
-- county, category and grade ('' = unassessed) of the active objects,
-- kept current by statement triggers from the rows each statement
-- changed; a bulk import, which pauses triggers, rebuilds it. (Grid
-- regions are counted when asked, from the spatial index: always
-- current, nothing to maintain.)
CREATE TABLE region_count (
    level    text          NOT NULL,
    code     text          NOT NULL,
    category risk_category NOT NULL,
    grade    text          NOT NULL,
    n        integer       NOT NULL,  -- no CHECK (n >= 0): ON CONFLICT checks the -1 delta before it adds
    PRIMARY KEY (level, code, category, grade)
);

-- Adds n (±1 per object) to the county of each object described by the
-- arrays, which are the same length.
CREATE FUNCTION region_count_add(counties text[], cats risk_category[], grades text[], ns integer[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO region_count AS rc (level, code, category, grade, n)
    SELECT 'county', u.county, u.cat, u.grade, sum(u.n)
    FROM unnest(counties, cats, grades, ns) AS u(county, cat, grade, n)
    WHERE u.county IS NOT NULL
    GROUP BY 2, 3, 4
    HAVING sum(u.n) <> 0
    ORDER BY 2, 3, 4  -- rows locked in one order by every writer: no deadlocks
    ON CONFLICT (level, code, category, grade) DO UPDATE SET n = rc.n + EXCLUDED.n;
    DELETE FROM region_count WHERE n = 0;
$$;

-- Transition tables exist only for their event, hence one branch each.
CREATE FUNCTION region_count_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM region_count_add(array_agg(county_code::text), array_agg(category), array_agg(coalesce(grade::text, '')), array_agg(1))
        FROM new_rows WHERE retired_at IS NULL;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM region_count_add(array_agg(county_code::text), array_agg(category), array_agg(coalesce(grade::text, '')), array_agg(-1))
        FROM old_rows WHERE retired_at IS NULL;
    ELSE
        PERFORM region_count_add(array_agg(c), array_agg(cat), array_agg(gr), array_agg(n))
        FROM (SELECT county_code::text AS c, category AS cat, coalesce(grade::text, '') AS gr, 1 AS n
              FROM new_rows WHERE retired_at IS NULL
              UNION ALL
              SELECT county_code::text, category, coalesce(grade::text, ''), -1
              FROM old_rows WHERE retired_at IS NULL) x;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER region_count_ins AFTER INSERT ON risk_object
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION region_count_sync();
CREATE TRIGGER region_count_upd AFTER UPDATE ON risk_object
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION region_count_sync();
CREATE TRIGGER region_count_del AFTER DELETE ON risk_object
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION region_count_sync();

-- Rebuilds the counts from scratch (after a bulk import; and once here).
CREATE FUNCTION region_count_rebuild() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM region_count;
    INSERT INTO region_count (level, code, category, grade, n)
    SELECT 'county', county_code, category, coalesce(grade::text, ''), count(*)
    FROM risk_object
    WHERE retired_at IS NULL AND county_code IS NOT NULL
    GROUP BY 2, 3, 4;
$$;
SELECT region_count_rebuild();

INSERT INTO layer_version (layer, version)
SELECT l, nextval('data_version_seq') FROM unnest(ARRAY['regions_county', 'regions_grid']) AS l;

-- Objects' changes move the regional layers' versions too.
CREATE OR REPLACE FUNCTION risk_object_bump() RETURNS trigger
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
        -- county features and regions carry per-grade counts, so they change too
        PERFORM bump_layer_versions(cats || ARRAY['counties', 'regions_county', 'regions_grid']);
    END IF;
    RETURN NULL;
END $$;

-- The card carries the current assessment, so that the map can say why.
CREATE OR REPLACE VIEW risk_object_card AS
SELECT o.id, o.category, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.geom,
       coalesce(o.county_code, '') AS county_code, coalesce(d.name, '') AS county_name,
       coalesce(o.grade::text, 'unassessed') AS grade, o.score, coalesce(o.method, '') AS method, o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at, o.retired_at, o.geom_3857, o.assessment
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code;

-- The county summary now reads the counts the triggers keep, instead of
-- counting every object for every tile.
CREATE OR REPLACE VIEW county_risk AS
SELECT code::varchar(6)                                AS county_code,
       max(nullif(grade, '')::risk_grade)              AS grade,
       coalesce(sum(n) FILTER (WHERE grade = 'red'), 0)::bigint    AS n_red,
       coalesce(sum(n) FILTER (WHERE grade = 'orange'), 0)::bigint AS n_orange,
       coalesce(sum(n) FILTER (WHERE grade = 'yellow'), 0)::bigint AS n_yellow,
       coalesce(sum(n) FILTER (WHERE grade = 'blue'), 0)::bigint   AS n_blue,
       coalesce(sum(n) FILTER (WHERE grade = ''), 0)::bigint       AS n_unassessed
FROM region_count
WHERE level = 'county'
GROUP BY code;

-- Regrading changes grades, which no index covers: leave room in each page
-- so that such updates stay on their page (HOT) and leave the indexes be.
-- (Applies to pages written from now on.)
ALTER TABLE risk_object SET (fillfactor = 85);

-- An import row without an assessment date (assessed_at NULL) keeps the
-- object's date: re-importing an unchanged file changes nothing.
CREATE OR REPLACE FUNCTION risk_object_differs(o risk_object, name text, geom geometry, county_code text, grade risk_grade,
                                               score float8, method text, assessed_at timestamptz, attributes jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (o.name, ST_AsBinary(o.geom), o.county_code::text, o.grade, o.score, o.method, o.assessed_at, o.attributes, o.retired_at)
           IS DISTINCT FROM
           (name, ST_AsBinary(geom), county_code, grade, score, method, coalesce(assessed_at, o.assessed_at), attributes, NULL::timestamptz)
$$;

-- The date an object's assessment gets from an import row: the row's, or,
-- when it has none, the object's own while grade, score and method stay,
-- else now (NULL for an unassessed row).
CREATE FUNCTION riskmap_assessed_at(o risk_object, grade risk_grade, score float8, method text, assessed_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN assessed_at IS NOT NULL THEN assessed_at
        WHEN grade IS NULL THEN NULL
        WHEN o.id IS NOT NULL AND (o.grade, o.score, o.method) IS NOT DISTINCT FROM (grade, score, method) THEN o.assessed_at
        ELSE now()
    END
$$;
