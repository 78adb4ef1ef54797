-- Whether PostGIS knows the coordinate system with this EPSG code.
-- $1 srid int
SELECT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = $1);
