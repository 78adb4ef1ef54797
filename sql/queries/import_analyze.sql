-- Refreshes the planner's statistics after an import changed many rows,
-- so that tile and list queries keep good plans: on the columns queries
-- filter and join on (statistics of the JSON columns cost much and serve
-- no plan).
ANALYZE risk_object (id, category, source, source_id, county_code, grade, retired_at, geom_3857, updated_at);
ANALYZE risk_assessment (id, object_id);
