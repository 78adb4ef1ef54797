-- Quick statistics after a direct copy, from a smaller sample than
-- import_analyze takes: enough for the planner to see the new rows at
-- once; autovacuum refines them soon after the commit.
SELECT set_config('default_statistics_target', '10', true);
