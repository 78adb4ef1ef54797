-- Empties the regrade staging table for the next batch.
TRUNCATE regrade_rows;
