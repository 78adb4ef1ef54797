-- Whether a hidden hazard with code $1 exists.
SELECT EXISTS (SELECT 1 FROM hidden_hazard WHERE code = $1);
