-- The open hidden hazards of division prefix $1 (NULL: all) that wait for
-- a step, the overdue and the earliest deadline first, at most $2, with
-- the divisions that supervise each (督办 not lifted), how many there are
-- and how many are overdue.
SELECT h.id, h.code, h.title, h.level::text, h.state::text, coalesce(h.division_code, ''), coalesce(d.name, ''),
       coalesce(h.rectify_deadline::text, ''), h.overdue, coalesce(h.supervision_deadline::text, ''), h.supervision_overdue,
       coalesce((SELECT array_agg(s.division_code ORDER BY s.division_code) FROM hazard_supervision s
                 WHERE s.hazard_id = h.id AND s.lifted_at IS NULL), '{}'),
       count(*) OVER (), count(*) FILTER (WHERE h.overdue OR h.supervision_overdue) OVER ()
FROM hidden_hazard_status h
LEFT JOIN admin_division d ON d.code = h.division_code
WHERE h.state NOT IN ('closed', 'invalid')
  AND ($1::text IS NULL OR starts_with(h.division_code, $1::text))
ORDER BY (h.overdue OR h.supervision_overdue) DESC, h.rectify_deadline NULLS LAST, h.id
LIMIT $2;
