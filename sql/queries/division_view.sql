-- What a map of one division needs: its name and level, its extent, and
-- the level of its children (the regional units of its four-colour map;
-- '' when none is loaded). $1 code.
SELECT d.name, d.level, ST_XMin(d.geom), ST_YMin(d.geom), ST_XMax(d.geom), ST_YMax(d.geom),
       coalesce((SELECT min(c.level) FROM admin_division c WHERE c.parent_code = d.code), '')
FROM admin_division d
WHERE d.code = $1;
