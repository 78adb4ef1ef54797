-- Hidden hazards per county: open, overdue, open major ones, and closed
-- this month (local time).
SELECT d.code, d.name,
       count(h.id) FILTER (WHERE h.state NOT IN ('closed', 'invalid')),
       count(h.id) FILTER (WHERE h.overdue),
       count(h.id) FILTER (WHERE h.level = 'major' AND h.state NOT IN ('closed', 'invalid')),
       count(h.id) FILTER (WHERE h.state = 'closed'
                           AND date_trunc('month', h.closed_on) = date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai')::date))
FROM admin_division d
LEFT JOIN hidden_hazard_status h ON h.county_code = d.code
WHERE d.level = 'county'
GROUP BY d.code, d.name
ORDER BY d.code;
