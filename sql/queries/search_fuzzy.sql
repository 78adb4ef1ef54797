-- Objects whose names or addresses hold the character pairs $1 (a
-- query's pairs but one) and not all of $2 (the query's): 丽源竹制品 finds
-- 丽源竹木制品, which lacks 竹制. Of categories $3 (text[]), in division
-- prefix $4 (NULL: all), the shortest name first, at most $5.
SELECT o.id, o.category::text, o.name, coalesce(o.grade::text, 'unassessed'), coalesce(o.division_code, ''), coalesce(d.name, ''),
       ST_X(o.geom), ST_Y(o.geom), coalesce(o.attributes->>'uscc', ''), coalesce(o.attributes->>'address', ''), 'fuzzy'
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.division_code
WHERE o.retired_at IS NULL AND o.search_grams @> $1::text[] AND NOT o.search_grams @> $2::text[]
  AND o.category::text = ANY ($3::text[]) AND ($4::text IS NULL OR starts_with(o.division_code, $4::text))
ORDER BY length(o.name), o.id
LIMIT $5;
