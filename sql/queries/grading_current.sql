-- The grading configuration in force: the latest version of every scheme
-- and rule, as ('scheme' | 'rule', definition).
SELECT 'scheme', definition FROM (
    SELECT DISTINCT ON (code) definition FROM grading_scheme ORDER BY code, version DESC) s
UNION ALL
SELECT 'rule', definition FROM (
    SELECT DISTINCT ON (key) definition FROM grading_rule ORDER BY key, version DESC) r;
