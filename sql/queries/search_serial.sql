-- For the rest of a search's transaction: no parallel workers (see
-- search_dense.sql).
SET LOCAL max_parallel_workers_per_gather = 0;
