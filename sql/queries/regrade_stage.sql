-- Where a regrade puts its new results before it writes them.
CREATE TEMP TABLE IF NOT EXISTS regrade_rows (
    id          bigint NOT NULL,
    result      jsonb  NOT NULL,
    from_grade  text,
    grade       text,
    score       float8,
    method      text,
    assessed_at timestamptz
) ON COMMIT DROP;
