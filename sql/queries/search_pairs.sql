-- The character pairs a search compares (migration 0017's riskmap_grams).
-- $1 the query
SELECT riskmap_grams($1);
