-- Incidents, the newest report first: those not closed, or with $1 all
-- of them. $1 include closed bool, $2 limit int
SELECT i.id, i.kind, i.level, i.title, i.description, ST_X(i.geom), ST_Y(i.geom), coalesce(i.county_code, ''),
       i.reported_at, i.status, i.created_by, i.updated_at, i.closed_at, coalesce(i.division_code, '')
FROM incident i
WHERE ($1::boolean OR i.status <> 'closed')
  AND ($3::text IS NULL OR starts_with(i.division_code, $3::text))
ORDER BY i.reported_at DESC, i.id DESC
LIMIT $2;
