-- Refuses a grading change by an actor of one division: the schemes and
-- rules grade every division's objects (migration 0020).
SELECT riskmap_require_whole('grading configuration');
