package geo

import "github.com/paulmach/orb"

// Road is one road line of the routable network, as an importer reads it.
// Speed and one-way come from the source where it has them; otherwise
// from defaults by class (see RoadClassSpeed).
type Road struct {
	SourceID string         // stable key within its source
	Name     string         // e.g. 丽云线
	Class    string         // a RoadClass code
	OneWay   int            // 0 both ways, 1 along the line, -1 against it
	SpeedKMH float64        // 0: the class default
	Line     orb.LineString // WGS84/CGCS2000 lon/lat
}

// NetworkInfo tells whether a road network is loaded and how big it is.
type NetworkInfo struct {
	Edges    int64 `json:"edges"`
	Vertices int64 `json:"vertices"`
}

// Loaded reports whether travel times can be computed.
func (n NetworkInfo) Loaded() bool { return n.Edges > 0 }

// Travel is the road trip from one origin to a destination: driving time
// and distance along the network, including the legs between the points
// and the network. Reachable is false when no road joins them (then
// Seconds and Metres are zero).
type Travel struct {
	Seconds   float64 `json:"seconds"`
	Metres    float64 `json:"metres"`
	Reachable bool    `json:"reachable"`
}

// Route is the road path between two points: its geometry (lon/lat, from
// the origin to the destination) with time and distance.
type Route struct {
	Travel
	Line orb.LineString `json:"-"`
}

// Isochrone is the area reachable from (or, for an incident, that can
// reach) a point within Minutes of driving.
type Isochrone struct {
	Minutes int          `json:"minutes"`
	Area    orb.Geometry `json:"-"` // Polygon or MultiPolygon, lon/lat
}

// IsochroneMinutes are the bands offered by default: 5, 10, 15, 30.
var IsochroneMinutes = []int{5, 10, 15, 30}
