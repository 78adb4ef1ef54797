-- Makes the receipts of new incident $1: one for each loaded division of
-- county level and above that holds it, due $2 after the report for the
-- county and $3 more for each level above. $2, $3 seconds.
INSERT INTO incident_receipt (incident_id, division_code, due_at)
SELECT i.id, d.code,
       i.reported_at + make_interval(secs => $2) + make_interval(secs => $3) * CASE d.level WHEN 'county' THEN 0 WHEN 'city' THEN 1 ELSE 2 END
FROM incident i
JOIN admin_division d ON d.level IN ('county', 'city', 'province') AND riskmap_within(d.code, i.division_code)
WHERE i.id = $1;
