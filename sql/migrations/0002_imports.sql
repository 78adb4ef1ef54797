-- 0002: imports. Objects that a --replace import no longer finds are
-- retired, not deleted, so their history stays; every committed import is
-- recorded.

ALTER TABLE risk_object ADD COLUMN retired_at timestamptz;  -- NULL = active

CREATE OR REPLACE VIEW county_risk AS
SELECT county_code,
       max(grade)                               AS grade,
       count(*) FILTER (WHERE grade = 'red')    AS n_red,
       count(*) FILTER (WHERE grade = 'orange') AS n_orange,
       count(*) FILTER (WHERE grade = 'yellow') AS n_yellow,
       count(*) FILTER (WHERE grade = 'blue')   AS n_blue,
       count(*) FILTER (WHERE grade IS NULL)    AS n_unassessed
FROM risk_object
WHERE retired_at IS NULL
GROUP BY county_code;

CREATE OR REPLACE VIEW risk_object_card AS
SELECT o.id, o.category, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.geom,
       coalesce(o.county_code, '') AS county_code, coalesce(d.name, '') AS county_name,
       coalesce(o.grade::text, 'unassessed') AS grade, o.score, coalesce(o.method, '') AS method, o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at, o.retired_at, o.geom_3857
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code;

CREATE TABLE import_run (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,           -- the OS user, or the API client
    category    text        NOT NULL,
    source      text        NOT NULL,
    files       jsonb       NOT NULL,           -- [{"name", "sha256", "bytes", "format", "encoding", "crs"}]
    options     jsonb       NOT NULL,           -- skip_invalid, replace, mapping …
    counts      jsonb       NOT NULL            -- rows, valid, invalid, inserted, updated, unchanged, retired
);

-- ST_Transform, or NULL for a point the target system cannot take (outside
-- a projection's domain), so that an import can name the row.
CREATE FUNCTION riskmap_transform_or_null(g geometry, srid integer) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN ST_Transform(g, srid);
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

-- Whether an import row would change object o: the one comparison the
-- upsert, the bulk update and the dry-run preview share. (Geometry is
-- compared by its bytes: geometry "=" compares bounding boxes.)
CREATE FUNCTION risk_object_differs(o risk_object, name text, geom geometry, county_code text, grade risk_grade,
                                    score float8, method text, assessed_at timestamptz, attributes jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (o.name, ST_AsBinary(o.geom), o.county_code::text, o.grade, o.score, o.method, o.assessed_at, o.attributes, o.retired_at)
           IS DISTINCT FROM
           (name, ST_AsBinary(geom), county_code, grade, score, method, assessed_at, attributes, NULL::timestamptz)
$$;
