-- Moves the id sequences of risk_object and risk_assessment past the
-- ids a direct copy used. $1, $2 the next unused ids.
SELECT setval(pg_get_serial_sequence('risk_object', 'id'), $1, false),
       setval(pg_get_serial_sequence('risk_assessment', 'id'), $2, false);
