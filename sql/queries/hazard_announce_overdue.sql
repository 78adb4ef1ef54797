-- Marks the hidden hazards newly past a deadline and announces them on
-- riskmap_objects (migration 0007); returns how many.
SELECT hazard_announce_overdue();
