-- One risk object by category and id; no row when absent.
-- $1 category text, $2 id bigint
SELECT o.id, o.category::text, o.name, ST_X(o.geom), ST_Y(o.geom),
       coalesce(o.county_code, ''), coalesce(d.name, ''),
       coalesce(o.grade::text, 'unassessed'), o.score, coalesce(o.method, ''), o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code
WHERE o.category = $1::text::risk_category AND o.id = $2;
