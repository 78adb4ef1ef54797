-- Inserts or updates one administrative division.
-- $1 code, $2 name, $3 level, $4 parent_code ('' for none), $5 population
-- (NULL when unknown), $6 boundary WKB, $7 label point WKB (NULL for none),
-- $8 source, $9 local unit
INSERT INTO admin_division AS d (code, name, level, parent_code, population, geom, label_point, source, local)
VALUES ($1, $2, $3, nullif($4, ''), $5, ST_Multi(ST_GeomFromWKB($6, 4490)), ST_GeomFromWKB($7, 4490), $8, $9)
ON CONFLICT (code) DO UPDATE
SET name = EXCLUDED.name, level = EXCLUDED.level, parent_code = EXCLUDED.parent_code,
    population = EXCLUDED.population, geom = EXCLUDED.geom, label_point = EXCLUDED.label_point,
    source = EXCLUDED.source, local = EXCLUDED.local, updated_at = now()
WHERE (d.name, d.level, d.parent_code, d.population, ST_AsBinary(d.geom), ST_AsBinary(d.label_point), d.source, d.local)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code, EXCLUDED.population, ST_AsBinary(EXCLUDED.geom),
       ST_AsBinary(EXCLUDED.label_point), EXCLUDED.source, EXCLUDED.local);
