-- Places the objects, hidden hazards and incidents in the area of the
-- divisions just loaded again: each in the deepest division at its point
-- (loading a county's townships moves its objects into them). Rescue
-- resources keep the division they have (their owner's, not where they
-- drive), unless they have none. $1 the codes loaded. Returns how many
-- of each moved.
WITH area AS (
    SELECT ST_Extent(geom)::geometry AS g FROM admin_division WHERE code = ANY ($1::text[])
), o AS (
    UPDATE risk_object r SET division_code = p.code
    FROM (SELECT x.id, riskmap_division_at(x.geom) AS code
          FROM risk_object x, area
          WHERE x.geom && area.g AND (x.category <> 'rescue_resources' OR x.division_code IS NULL)) p
    WHERE r.id = p.id AND p.code IS NOT NULL AND r.division_code IS DISTINCT FROM p.code
    RETURNING r.id
), h AS (
    UPDATE hidden_hazard z SET division_code = p.code
    FROM (SELECT x.id, riskmap_division_at(x.geom) AS code FROM hidden_hazard x, area WHERE x.geom && area.g) p
    WHERE z.id = p.id AND p.code IS NOT NULL AND z.division_code IS DISTINCT FROM p.code
    RETURNING z.id
), i AS (
    UPDATE incident z SET division_code = p.code
    FROM (SELECT x.id, riskmap_division_at(x.geom) AS code FROM incident x, area WHERE x.geom && area.g) p
    WHERE z.id = p.id AND p.code IS NOT NULL AND z.division_code IS DISTINCT FROM p.code
    RETURNING z.id
)
SELECT (SELECT count(*) FROM o), (SELECT count(*) FROM h), (SELECT count(*) FROM i);
