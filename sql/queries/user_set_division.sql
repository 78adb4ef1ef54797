-- Moves a user to another division (NULL: the whole deployment); their
-- tokens are narrowed to it where they reached further. $1 name, $2
-- division code. Returns the id.
WITH u AS (
    UPDATE app_user SET division_code = $2, updated_at = now()
    WHERE username = $1
    RETURNING id
), t AS (
    UPDATE api_token k SET division_code = $2
    FROM u
    WHERE k.user_id = u.id AND NOT riskmap_within($2, k.division_code)
    RETURNING k.id
)
SELECT u.id FROM u, (SELECT count(*) FROM t) n;
