-- The current data version of every layer.
SELECT layer, version FROM layer_version ORDER BY layer;
