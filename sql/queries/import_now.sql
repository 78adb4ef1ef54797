-- The import transaction's time: what now() says in every statement of it.
SELECT now();
