-- Division $2 receives incident $1 (接报), by $3; a second time changes
-- nothing. No row: the division has no receipt of it.
UPDATE incident_receipt
SET received_by = coalesce(received_by, $3), received_at = coalesce(received_at, now())
WHERE incident_id = $1 AND division_code = $2
RETURNING received_at;
