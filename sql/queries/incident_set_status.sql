-- Sets an incident's status ($2 open, responding or closed). $1 id
UPDATE incident
SET status = $2, updated_at = now(),
    closed_at = CASE WHEN $2 = 'closed' THEN now() END
WHERE id = $1;
