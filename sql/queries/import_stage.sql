-- Staging table for one import, filled by COPY and dropped at commit.
CREATE TEMP TABLE import_rows (
    file        int    NOT NULL,   -- index of the file in the import
    row         int    NOT NULL,   -- row or feature number in that file
    category    text   NOT NULL,
    source_id   text   NOT NULL,
    name        text   NOT NULL,
    lon         float8 NOT NULL,   -- CGCS2000 (≈ WGS84)
    lat         float8 NOT NULL,
    county      text,
    grade       text,
    score       float8,
    method      text,
    assessed_at timestamptz,
    attributes  jsonb  NOT NULL,
    assessment  jsonb,             -- geo/grading's Result, NULL when unassessed
    division    text               -- the deepest division at the point, NULL for none
) ON COMMIT DROP;
