-- Objects matching a search $1 (at least two characters once normalised),
-- of categories $2 (text[]), in division prefix $3 (NULL: all), at most
-- $4: a credit code or source id beginning with $1 first, then names
-- holding $1, then names or addresses holding all its bigrams; within
-- each, the exact name, the match nearest the start and the shortest
-- name first.
WITH q AS (
    SELECT riskmap_search_norm($1) AS norm, upper(btrim($1)) AS code
), hits AS (
    SELECT o.id, 0 AS tier FROM risk_object o, q
    WHERE o.retired_at IS NULL AND length(q.code) >= 2
      AND (upper(o.attributes->>'uscc') LIKE q.code || '%' OR upper(o.source_id) LIKE q.code || '%')
    UNION ALL
    SELECT o.id, CASE WHEN strpos(riskmap_search_norm(o.name), q.norm) > 0 THEN 1 ELSE 2 END FROM risk_object o, q
    WHERE o.retired_at IS NULL AND cardinality(riskmap_grams($1)) > 0 AND o.search_grams @> riskmap_grams($1)
), best AS (
    SELECT id, min(tier) AS tier FROM hits GROUP BY id
)
SELECT o.id, o.category::text, o.name, coalesce(o.grade::text, 'unassessed'), coalesce(o.division_code, ''), coalesce(d.name, ''),
       ST_X(o.geom), ST_Y(o.geom), coalesce(o.attributes->>'uscc', ''), coalesce(o.attributes->>'address', ''),
       CASE b.tier WHEN 0 THEN 'code' WHEN 1 THEN 'name' ELSE 'words' END
FROM best b
JOIN risk_object o ON o.id = b.id
LEFT JOIN admin_division d ON d.code = o.division_code, q
WHERE o.category::text = ANY ($2::text[])
  AND ($3::text IS NULL OR starts_with(o.division_code, $3::text))
ORDER BY b.tier, riskmap_search_norm(o.name) = q.norm DESC, nullif(strpos(riskmap_search_norm(o.name), q.norm), 0) NULLS LAST,
         length(o.name), o.id
LIMIT $4;
