-- Bulk import, with its triggers paused: moves the versions of the layers
-- the staged rows touch (and of counties, whose counts change).
SELECT bump_layer_versions(array_agg(DISTINCT category) || 'counties'::text) FROM import_rows;
