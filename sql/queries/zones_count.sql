-- How many zones zones_list matches (for a page past the end, which has
-- no rows to carry the count).
-- $1 box (hex EWKB) or NULL, $2 hazard types, $3 grades, $4 deleted, $5 the
-- reader's division prefix (NULL: everywhere)
SELECT count(*)
FROM hazard_zone
WHERE (deleted_at IS NOT NULL) = $4::boolean
  AND ($1::text IS NULL OR ST_Intersects(geom, $1::text::geometry))
  AND ($2::text[] IS NULL OR hazard_type = ANY ($2::text[]))
  AND ($3::text[] IS NULL OR grade::text = ANY ($3::text[]))
  AND ($5::text IS NULL OR starts_with(division_code, $5::text));
