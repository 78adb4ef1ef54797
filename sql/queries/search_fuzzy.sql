-- Objects whose names or addresses hold at least three in five of the
-- bigrams of $1 but not all (search.sql has those): 丽源竹制品 finds
-- 丽源竹木制品. As search.sql: $2 categories, $3 division prefix, $4 limit;
-- the most bigrams in common first.
WITH q AS (
    SELECT riskmap_grams($1) AS grams
), hits AS (
    SELECT o.id, (SELECT count(DISTINCT g) FROM unnest(q.grams) g WHERE g = ANY (o.search_grams))::float8
                 / greatest((SELECT count(DISTINCT g) FROM unnest(q.grams) g), 1) AS share
    FROM risk_object o, q
    WHERE o.retired_at IS NULL AND o.search_grams && q.grams AND NOT o.search_grams @> q.grams
      AND o.category::text = ANY ($2::text[])
      AND ($3::text IS NULL OR starts_with(o.division_code, $3::text))
)
SELECT o.id, o.category::text, o.name, coalesce(o.grade::text, 'unassessed'), coalesce(o.division_code, ''), coalesce(d.name, ''),
       ST_X(o.geom), ST_Y(o.geom), coalesce(o.attributes->>'uscc', ''), coalesce(o.attributes->>'address', ''), 'fuzzy'
FROM hits h
JOIN risk_object o ON o.id = h.id
LEFT JOIN admin_division d ON d.code = o.division_code
WHERE h.share >= 0.6
ORDER BY h.share DESC, length(o.name), o.id
LIMIT $4;
