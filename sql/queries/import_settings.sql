-- An import may run long and build indexes: no statement timeout, and
-- memory for index builds, for this transaction only.
SELECT set_config('statement_timeout', '0', true), set_config('maintenance_work_mem', '256MB', true);
