-- The objects that have open hidden hazards.
SELECT DISTINCT object_id FROM hidden_hazard WHERE object_id IS NOT NULL AND state NOT IN ('closed', 'invalid');
