-- Keeps the first staged row of each (category, source id) and deletes
-- the others; returns how many it deleted.
WITH ranked AS (
    SELECT ctid, row_number() OVER (PARTITION BY category, source_id ORDER BY file, row) AS n
    FROM import_rows
)
DELETE FROM import_rows r USING ranked d
WHERE r.ctid = d.ctid AND d.n > 1;
