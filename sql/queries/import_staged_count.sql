-- How many rows the import has staged.
SELECT count(*) FROM import_rows;
