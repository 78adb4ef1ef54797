-- Subscribe this session to the notifications of data changes:
-- riskmap_layers (a layer's data version moved, and where) and
-- riskmap_objects (an object's grade changed, a hidden hazard became
-- overdue); see migration 0007 for their JSON.
LISTEN riskmap_layers;
LISTEN riskmap_objects;
