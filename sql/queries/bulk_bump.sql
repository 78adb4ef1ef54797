-- Bulk import, with its triggers paused: moves the versions of the layers
-- it touched (and of counties and regions, whose counts change), and
-- rebuilds the county counts and the low-zoom cells of its categories
-- that the paused triggers did not keep.
-- $1 categories text[]
SELECT bump_layer_versions($1::text[] || ARRAY['counties', 'regions_county', 'regions_grid']), region_count_rebuild(),
       object_cell_rebuild($1::text[]::risk_category[]);
