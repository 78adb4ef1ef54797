-- 0004: an object refers to its current assessment record instead of
-- carrying a copy of it, and a record may be of many objects. The result
-- was stored twice (in the object and in its record), and a first load
-- of a million rows wrote and parsed a million copies of a few results.

-- A record is of one object (object_id) or, when one import graded a
-- run of new objects alike, of all of them (objects, a range of ids: a
-- first load numbers the objects of each result consecutively): the
-- result is the same record for each.
ALTER TABLE risk_assessment ALTER COLUMN object_id DROP NOT NULL,
    ADD COLUMN objects int8range,
    ADD CONSTRAINT risk_assessment_objects CHECK ((object_id IS NULL) <> (objects IS NULL) AND NOT isempty(objects));
CREATE INDEX risk_assessment_objects_idx ON risk_assessment USING gist (objects);

-- The record of the object's current assessment; NULL when it has none
-- (never assessed, or its last import left it unassessed). No foreign
-- key, as with risk_assessment.object_id: records are never deleted, and
-- checking one per row would slow every bulk write of objects.
ALTER TABLE risk_object ADD COLUMN assessment_id bigint;

-- Every current assessment has its record already; should one not (its
-- latest record says something else), it gets one now, so that nothing
-- the object carried is lost.
INSERT INTO risk_assessment (object_id, scheme, version, result, from_grade, grade, reason, assessed_by)
SELECT o.id, o.assessment->>'scheme', (o.assessment->>'version')::int, o.assessment, o.grade, o.grade, 'recompute', 'migration 0004'
FROM risk_object o
LEFT JOIN LATERAL (SELECT a.result FROM risk_assessment a WHERE a.object_id = o.id ORDER BY a.id DESC LIMIT 1) l ON true
WHERE o.assessment IS NOT NULL AND l.result IS DISTINCT FROM o.assessment;

UPDATE risk_object o
SET assessment_id = (SELECT max(a.id) FROM risk_assessment a WHERE a.object_id = o.id)
WHERE o.assessment IS NOT NULL;

DROP VIEW risk_object_card;
ALTER TABLE risk_object DROP COLUMN assessment;

-- The card carries the current assessment, so that the map can say why.
CREATE VIEW risk_object_card AS
SELECT o.id, o.category, o.name, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.geom,
       coalesce(o.county_code, '') AS county_code, coalesce(d.name, '') AS county_name,
       coalesce(o.grade::text, 'unassessed') AS grade, o.score, coalesce(o.method, '') AS method, o.assessed_at,
       o.source, o.source_id, o.attributes, o.created_at, o.updated_at, o.retired_at, o.geom_3857, a.result AS assessment
FROM risk_object o
LEFT JOIN admin_division d ON d.code = o.county_code
LEFT JOIN risk_assessment a ON a.id = o.assessment_id;
