-- Reports a hidden hazard: at its object's position and county when it has
-- an object (of category-free id $2), else at lon $8, lat $9 and the
-- county there. Returns the id; none when object $2 does not exist.
-- $1 code, $2 object id (NULL), $3 title, $4 description, $5 level, $6 source, $7 found on, $8 lon, $9 lat
INSERT INTO hidden_hazard (code, object_id, title, description, level, discovery_source, found_on, geom, county_code)
SELECT $1, $2, $3, $4, $5::hh_level, $6, $7::date, p.geom,
       coalesce(p.county, (SELECT d.code FROM admin_division d WHERE d.level = 'county' AND ST_Intersects(d.geom, p.geom) LIMIT 1))
FROM (
    SELECT o.geom, o.county_code::text AS county FROM risk_object o WHERE $2::bigint IS NOT NULL AND o.id = $2
    UNION ALL
    SELECT ST_SetSRID(ST_MakePoint($8, $9), 4490), NULL WHERE $2::bigint IS NULL
) p
RETURNING id;
