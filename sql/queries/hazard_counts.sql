-- Hidden hazards per county: open, overdue, open major ones, and closed
-- this month (local time); $1 the reader's division prefix (NULL:
-- everywhere): its counties (and the county holding it), its hazards.
SELECT d.code, d.name,
       count(h.id) FILTER (WHERE h.state NOT IN ('closed', 'invalid')),
       count(h.id) FILTER (WHERE h.overdue),
       count(h.id) FILTER (WHERE h.level = 'major' AND h.state NOT IN ('closed', 'invalid')),
       count(h.id) FILTER (WHERE h.state = 'closed'
                           AND date_trunc('month', h.closed_on) = date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai')::date))
FROM admin_division d
LEFT JOIN hidden_hazard_status h ON h.county_code = d.code
     AND ($1::text IS NULL OR starts_with(h.division_code, $1::text))
WHERE d.level = 'county'
  AND ($1::text IS NULL OR starts_with(d.code, $1::text) OR starts_with($1::text, d.code))
GROUP BY d.code, d.name
ORDER BY d.code;
