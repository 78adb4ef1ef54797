-- Every stored version of every scheme and rule, newest first within
-- each: ('scheme' | 'rule', code or key, version, enabled, who, when, why).
SELECT 'scheme', code, version, coalesce((definition->>'enabled')::boolean, false), loaded_by, loaded_at, reason
FROM grading_scheme
UNION ALL
SELECT 'rule', key, version, coalesce((definition->>'enabled')::boolean, false), loaded_by, loaded_at, reason
FROM grading_rule
ORDER BY 1, 2, 3 DESC;
