-- The area the service covers: the extent of the divisions, or of the
-- risk objects when no division is loaded. NULLs when both are empty.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT coalesce((SELECT ST_Extent(geom) FROM admin_division),
                    (SELECT ST_Extent(geom) FROM risk_object WHERE retired_at IS NULL)) AS e
) s;
