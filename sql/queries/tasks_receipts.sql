-- The incidents waiting for division $1 to receive them (NULL: every
-- division's), the earliest due first, at most $2, with how many wait
-- in all and how many of them are overdue.
SELECT r.incident_id, i.title, i.level, i.reported_at, r.division_code, coalesce(d.name, ''), r.due_at, now() > r.due_at,
       count(*) OVER (), count(*) FILTER (WHERE now() > r.due_at) OVER ()
FROM incident_receipt r
JOIN incident i ON i.id = r.incident_id
LEFT JOIN admin_division d ON d.code = r.division_code
WHERE r.received_at IS NULL AND ($1::text IS NULL OR r.division_code = $1)
ORDER BY r.due_at, r.incident_id
LIMIT $2;
