package geo

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

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

// RoadClass is a class of road with the speed riskmap assumes on it when
// the source gives none [PROP: speeds for Lishui's mountain roads, below
// the design speeds of JTG B01-2014 for their classes; a bureau should
// calibrate them from its own travel times].
type RoadClass struct {
	Code     string   // riskmap's code
	Names    []string // the names sources use for it (Chinese, OSM)
	SpeedKMH float64
}

// RoadClasses are the classes riskmap knows, fastest first.
var RoadClasses = []RoadClass{
	{"motorway", []string{"高速公路", "高速", "motorway", "motorway_link", "expressway"}, 90},
	{"national", []string{"国道", "trunk", "trunk_link"}, 60},
	{"provincial", []string{"省道", "primary", "primary_link"}, 50},
	{"county", []string{"县道", "secondary", "secondary_link"}, 40},
	{"urban", []string{"城市道路", "主干路", "次干路", "支路", "城市主干道", "街道"}, 30},
	{"township", []string{"乡道", "tertiary", "tertiary_link", "unclassified"}, 30},
	{"village", []string{"村道", "专用公路", "residential", "service", "living_street", "road"}, 20},
	{"track", []string{"机耕路", "林道", "track"}, 10},
}

// DefaultRoadClass is the class of a road whose source says none.
const DefaultRoadClass = "township"

// ParseRoadClass reads a road class: one of RoadClasses' codes or names
// (case-insensitive for the Latin ones). Unknown names are false.
func ParseRoadClass(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return DefaultRoadClass, true
	}
	for _, c := range RoadClasses {
		if t == c.Code || slices.Contains(c.Names, t) {
			return c.Code, true
		}
	}
	return "", false
}

// ClassSpeed is the default speed of a class code (that of
// DefaultRoadClass for an unknown one).
func ClassSpeed(code string) float64 {
	for _, c := range RoadClasses {
		if c.Code == code {
			return c.SpeedKMH
		}
	}
	return ClassSpeed(DefaultRoadClass)
}

// Speed is the road's speed: its own, or its class's.
func (r Road) Speed() float64 {
	if r.SpeedKMH > 0 {
		return r.SpeedKMH
	}
	code, _ := ParseRoadClass(r.Class)
	return ClassSpeed(code)
}

// Check validates a road; errors are *ParamError values naming the field.
func (r Road) Check() error {
	switch {
	case r.SourceID == "":
		return Invalidf("source_id", "missing")
	case len(r.Line) < 2:
		return Invalidf("line", "a road needs at least two points")
	case r.OneWay < -1 || r.OneWay > 1:
		return Invalidf("oneway", "%d is not -1, 0 or 1", r.OneWay)
	case r.SpeedKMH < 0 || r.SpeedKMH > 200 || math.IsNaN(r.SpeedKMH):
		return Invalidf("speed", "%v km/h is not a speed (0 for the class's, up to 200)", r.SpeedKMH)
	}
	if _, ok := ParseRoadClass(r.Class); !ok {
		return Invalidf("class", "%q is not a road class", r.Class)
	}
	for _, p := range r.Line {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return Invalidf("line", "%v is not a longitude/latitude", p)
		}
	}
	if orb.Equal(r.Line[0], r.Line[len(r.Line)-1]) && len(r.Line) == 2 {
		return Invalidf("line", "the road starts where it ends")
	}
	return nil
}
