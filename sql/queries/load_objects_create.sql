-- Staging table for a bulk load of risk objects, filled by COPY and
-- dropped at commit.
CREATE TEMP TABLE load_objects (
    category    text NOT NULL,
    name        text NOT NULL,
    lon         float8 NOT NULL,
    lat         float8 NOT NULL,
    county_code text,
    grade       text,
    score       float8,
    method      text,
    assessed_at timestamptz,
    source      text NOT NULL,
    source_id   text NOT NULL,
    attributes  jsonb NOT NULL
) ON COMMIT DROP;
