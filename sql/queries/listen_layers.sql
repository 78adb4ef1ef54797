-- Subscribe this session to the notifications of data changes:
-- riskmap_layers (a layer's data version moved, and where) and
-- riskmap_objects (an object's grade changed, a hidden hazard became
-- overdue, a dispatch, a resource's newest position fix); see migration
-- 0007 for their JSON, dispatch_notify.sql and position_insert.sql for
-- the last two.
LISTEN riskmap_layers;
LISTEN riskmap_objects;
