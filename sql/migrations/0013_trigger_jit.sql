-- 0013: no JIT in the triggers that turn nested loops off. With nested
-- loops off, the planner's costs for their statements pass jit_above_cost
-- however few rows a statement changed, and every single-object write (an
-- assessment, a GPS fix, a dispatch) paid some 150 ms of JIT compilation
-- in object_cell_sync alone; measured 152 ms → 1.9 ms for one insert.
ALTER FUNCTION object_cell_sync() SET jit = off;
ALTER FUNCTION risk_object_bump() SET jit = off;
