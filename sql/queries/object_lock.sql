-- Locks an active object for a change, returning its category and when
-- it last changed (its version); no row when absent.
-- $1 category text ('' any), $2 id
SELECT category::text, updated_at FROM risk_object
WHERE ($1::text = '' OR category = $1::text::risk_category) AND id = $2 AND retired_at IS NULL
FOR UPDATE;
