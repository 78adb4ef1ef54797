-- Statistics for the staged rows: temporary tables are never analyzed by
-- autovacuum, and without them the planner takes a large staging table
-- for a tiny one (and joins it row by row).
ANALYZE import_rows;
