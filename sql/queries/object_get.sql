-- One risk object by category and id; no row when absent.
-- $1 category text, $2 id bigint
SELECT c.id, c.category::text, c.name, c.lon, c.lat, c.county_code, c.county_name, c.grade, c.score, c.method,
       c.assessed_at, c.source, c.source_id, c.attributes, c.created_at, c.updated_at, c.retired_at, c.assessment,
       c.division_code, c.division_name
FROM risk_object_card c
WHERE c.category = $1::text::risk_category AND c.id = $2;
