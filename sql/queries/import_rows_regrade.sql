-- Puts a staged row's grade with its object's hidden hazards.
-- $1 file, $2 row, $3 grade ('' none), $4 score, $5 method ('' none), $6 assessed at, $7 assessment
UPDATE import_rows
SET grade = nullif($3, ''), score = $4, method = nullif($5, ''), assessed_at = $6, assessment = $7
WHERE file = $1 AND row = $2;
