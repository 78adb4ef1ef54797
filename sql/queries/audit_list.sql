-- Audit entries, newest first. $1 actor ('' any), $2 action ('' any),
-- $3 since, $4 until (NULL: open), $5 below id (0: from the newest),
-- $6 limit, $7 the actors' division prefix (NULL: every entry).
SELECT id, at, actor, role, remote, request_id, action, target, outcome, before, after, coalesce(division_code, '')
FROM audit_log
WHERE ($1 = '' OR actor = $1)
  AND ($2 = '' OR action = $2)
  AND ($3::timestamptz IS NULL OR at >= $3)
  AND ($4::timestamptz IS NULL OR at < $4)
  AND ($5 = 0 OR id < $5)
  AND ($7::text IS NULL OR starts_with(division_code, $7::text))
ORDER BY id DESC
LIMIT $6;
