-- The first ids of a direct copy's objects and of their assessment
-- records. The copy numbers both itself from here, so that each object
-- can name its record as they are written side by side; it holds both
-- tables against other writers (see direct_lock), and direct_last_id
-- moves the sequences past what it used.
SELECT nextval(pg_get_serial_sequence('risk_object', 'id')),
       nextval(pg_get_serial_sequence('risk_assessment', 'id'));
