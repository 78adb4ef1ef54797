-- Records a committed import.
-- $1 actor, $2 category, $3 source, $4 files jsonb, $5 options jsonb, $6 counts jsonb,
-- $7 the actor's division (NULL: the whole deployment), $8 problems jsonb, $9 problems in all
INSERT INTO import_run (actor, category, source, files, options, counts, division_code, problems, problems_total)
VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8::jsonb, '[]'), $9)
RETURNING id;
