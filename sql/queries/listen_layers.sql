-- Subscribe this session to the notifications bump_layer_versions sends
-- whenever a layer's data version moves.
LISTEN riskmap_layers;
