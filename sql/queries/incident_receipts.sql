-- The receipts of incident $1, from the county up, with the divisions'
-- names and whether each is overdue (not received in time).
SELECT r.division_code, coalesce(d.name, ''), coalesce(d.level, ''), r.due_at, coalesce(r.received_by, ''), r.received_at,
       (r.received_at IS NULL AND now() > r.due_at) OR coalesce(r.received_at > r.due_at, false)
FROM incident_receipt r
LEFT JOIN admin_division d ON d.code = r.division_code
WHERE r.incident_id = $1
ORDER BY r.due_at, r.division_code;
