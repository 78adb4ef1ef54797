-- Bulk import, with its triggers paused: moves the versions of the layers
-- it touched (and of counties, whose counts change).
-- $1 categories text[]
SELECT bump_layer_versions($1::text[] || 'counties'::text);
