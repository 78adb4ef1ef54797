-- Records a committed import.
-- $1 actor, $2 category, $3 source, $4 files jsonb, $5 options jsonb, $6 counts jsonb
INSERT INTO import_run (actor, category, source, files, options, counts)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;
