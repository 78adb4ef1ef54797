-- How many objects the map holds: an import larger than this (and large
-- in itself) rebuilds the indexes instead of updating them row by row.
SELECT count(*) FROM risk_object WHERE retired_at IS NULL;
