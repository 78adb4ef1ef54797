-- Deletes the road edges of source $1 (a re-import with replace).
DELETE FROM road_edge WHERE source_name = $1;
