-- Locks a hidden hazard for a step.
-- $1 id
SELECT id FROM hidden_hazard WHERE id = $1 FOR UPDATE;
