-- The bounding box of a collection's features (CRS84 degrees); NULLs
-- when it has none. $1 the collection: a category, 'counties' or 'zones'.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT CASE WHEN $1::text = 'counties'
                THEN (SELECT ST_Extent(d.geom) FROM admin_division d WHERE d.level = 'county')
                WHEN $1::text = 'zones'
                THEN (SELECT ST_Extent(z.geom) FROM hazard_zone z WHERE z.deleted_at IS NULL)
                ELSE (SELECT ST_Extent(o.geom) FROM risk_object o
                      WHERE o.category::text = $1::text AND o.retired_at IS NULL)
           END AS e
) s;
