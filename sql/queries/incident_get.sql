-- One incident. $1 id
SELECT i.id, i.kind, i.level, i.title, i.description, ST_X(i.geom), ST_Y(i.geom), coalesce(i.county_code, ''),
       i.reported_at, i.status, i.created_by, i.updated_at, i.closed_at, coalesce(i.division_code, '')
FROM incident i
WHERE i.id = $1;
