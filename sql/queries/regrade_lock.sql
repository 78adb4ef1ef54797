-- Locks the next batch of objects a regrade reads (see regrade_batch).
-- $1 category text (NULL: all), $2 after id, $3 limit, $4 ids bigint[] (NULL: all)
SELECT o.id FROM risk_object o
WHERE ($1::text IS NULL OR o.category = $1::text::risk_category)
  AND ($4::bigint[] IS NULL OR o.id = ANY ($4::bigint[]))
  AND o.id > $2
  AND o.retired_at IS NULL
ORDER BY o.id
LIMIT $3
FOR UPDATE;
