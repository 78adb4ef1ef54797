-- Deletes the road edges of source $1 that a re-import with replace no
-- longer has (their ids not in $2); the others are updated in place.
-- $1 source, $2 the source ids kept
DELETE FROM road_edge WHERE source_name = $1 AND source_id <> ALL ($2::text[]);
