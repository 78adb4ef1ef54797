-- A direct copy, with risk_object's triggers paused: moves the versions
-- of the layers it touched (and of counties and regions) and adds the
-- copied objects to the county counts, which it counted as it copied,
-- and builds the low-zoom cells of its category.
-- $1 categories text[]; $2 counties text[], $3 categories, $4 grades
-- ('' = unassessed) and $5 counts: one element per county, category and
-- grade.
SELECT bump_layer_versions($1::text[] || ARRAY['counties', 'regions_county', 'regions_grid']),
       region_count_add($2::text[], $3::text[]::risk_category[], $4::text[], $5::int[]),
       object_cell_rebuild($1::text[]::risk_category[]);
