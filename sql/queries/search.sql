-- Objects matching a search $1 (trimmed; at least two characters once
-- normalised), of categories $2 (text[]), in division prefix $3 (NULL:
-- all), at most $4: a credit code or source id in [$5, $6) first (the
-- query's upper case and what follows every code beginning with it; NULL
-- when it cannot begin one), then names holding $1, then names or
-- addresses holding all its character pairs; within each, the exact name,
-- the match nearest the start and the shortest name first. A query that
-- more than 300 codes begin with, or whose pairs are in more than 300
-- objects (有限公司), ranks the first 300 of each the index gives. (The pairs are a sub-select, worked out once: a
-- prepared statement's generic plan would otherwise call riskmap_grams
-- for every row it filters.) $7 false leaves names out: a query that
-- looks like a code is first looked up as one. The store derives a
-- variant for a query whose every pair most objects hold (有限公司): the
-- pairs compared row by row (the marked column taken as an expression,
-- which no index serves), as a scan meets 300 such rows early, where the
-- index's posting lists would hold nearly every object.
WITH hits AS (
    (SELECT o.id, 0 AS tier FROM risk_object o
     WHERE $5::text IS NOT NULL AND o.retired_at IS NULL
       AND (upper(o.attributes->>'uscc') COLLATE "C") >= $5::text AND (upper(o.attributes->>'uscc') COLLATE "C") < $6::text
     LIMIT 300)
    UNION ALL
    (SELECT o.id, 0 FROM risk_object o
     WHERE $5::text IS NOT NULL AND o.retired_at IS NULL
       AND (upper(o.source_id) COLLATE "C") >= $5::text AND (upper(o.source_id) COLLATE "C") < $6::text
     LIMIT 300)
    UNION ALL
    (SELECT o.id, CASE WHEN strpos(o.name, $1) > 0 THEN 1 ELSE 2 END FROM risk_object o
     WHERE $7 AND o.retired_at IS NULL AND cardinality((SELECT riskmap_grams($1))) > 0 AND o.search_grams /*pairs*/ @> (SELECT riskmap_grams($1))
       AND o.category::text = ANY ($2::text[]) AND ($3::text IS NULL OR starts_with(o.division_code, $3::text))
     LIMIT 300)
), best AS (
    SELECT id, min(tier) AS tier FROM hits GROUP BY id
)
SELECT o.id, o.category::text, o.name, coalesce(o.grade::text, 'unassessed'), coalesce(o.division_code, ''), coalesce(d.name, ''),
       ST_X(o.geom), ST_Y(o.geom), coalesce(o.attributes->>'uscc', ''), coalesce(o.attributes->>'address', ''),
       CASE b.tier WHEN 0 THEN 'code' WHEN 1 THEN 'name' ELSE 'words' END
FROM best b
JOIN risk_object o ON o.id = b.id
LEFT JOIN admin_division d ON d.code = o.division_code
WHERE o.category::text = ANY ($2::text[])
  AND ($3::text IS NULL OR starts_with(o.division_code, $3::text))
ORDER BY b.tier, o.name = $1 DESC, nullif(strpos(o.name, $1), 0) NULLS LAST, length(o.name), o.id
LIMIT $4;
