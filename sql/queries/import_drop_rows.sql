-- Removes staged rows (file, row) that must not be imported.
-- $1 files int[], $2 rows int[] (pairs by position)
DELETE FROM import_rows r
USING unnest($1::int[], $2::int[]) AS d(file, row)
WHERE r.file = d.file AND r.row = d.row;
