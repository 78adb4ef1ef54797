-- Locks a supervision for a step. $1 id
SELECT id FROM hazard_supervision WHERE id = $1 FOR UPDATE;
