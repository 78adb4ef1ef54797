-- A page of zones: not deleted (or, with $4, only the deleted), in box $1
-- (4490, NULL: anywhere), of hazard types $2 and grades $3 (NULL: all),
-- the most severe first; each row with the total matched.
-- $1 box (hex EWKB) or NULL, $2 hazard types, $3 grades, $4 deleted, $5 limit, $6 offset,
-- $7 the reader's division prefix (NULL: everywhere)
SELECT id, version, name, hazard_type, zone_kind, grade::text, description,
       coalesce(season_from, ''), coalesce(season_to, ''), coalesce(valid_from::text, ''), coalesce(valid_to::text, ''),
       source, drawn_by, counties, area_m2, ST_AsBinary(geom), last_action, updated_by, updated_at, deleted_at IS NOT NULL,
       count(*) OVER ()
FROM hazard_zone
WHERE (deleted_at IS NOT NULL) = $4::boolean
  AND ($1::text IS NULL OR ST_Intersects(geom, $1::text::geometry))
  AND ($2::text[] IS NULL OR hazard_type = ANY ($2::text[]))
  AND ($3::text[] IS NULL OR grade::text = ANY ($3::text[]))
  AND ($7::text IS NULL OR starts_with(division_code, $7::text))
ORDER BY grade DESC, id
LIMIT $5 OFFSET $6;
