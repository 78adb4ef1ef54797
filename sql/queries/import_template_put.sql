-- Saves a source's mapping template (the scope guard refuses one saved
-- by a division the actor is not within). $1 category, $2 source,
-- $3 mapping jsonb, $4 the actor's division (NULL: the whole deployment), $5 actor.
INSERT INTO import_template (category, source, mapping, division_code, updated_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (category, source) DO UPDATE
SET mapping = EXCLUDED.mapping, division_code = EXCLUDED.division_code,
    updated_by = EXCLUDED.updated_by, updated_at = now()
RETURNING category, source, mapping, coalesce(division_code, ''), updated_by, updated_at;
