-- Refreshes the planner's statistics after an import changed many rows,
-- so that tile and list queries keep good plans.
ANALYZE risk_object;
