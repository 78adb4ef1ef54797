-- Sets the actor's division for the rest of the transaction (migration
-- 0012's guards read it). $1 '*' for the whole deployment, else the
-- division's prefix (geo.DivisionPrefix).
SELECT set_config('riskmap.scope', $1, true);
