package geo

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"riskmap/geo/cql"
	"riskmap/geo/crs"
)

// Incidents is the layer of the incidents not yet closed.
const Incidents Layer = "incidents"

// Incident states.
const (
	IncidentOpen       = "open"       // reported, nobody sent yet
	IncidentResponding = "responding" // resources assigned
	IncidentClosed     = "closed"     // over; its resources released
)

// IncidentLevels are the levels of 《国家突发公共事件总体应急预案》:
// Ⅰ 特别重大, Ⅱ 重大, Ⅲ 较大, Ⅳ 一般.
var IncidentLevels = []string{"I", "II", "III", "IV"}

// IncidentKind is a type of incident and the resource types that usually
// answer it first (the dispatcher's panel preselects them).
type IncidentKind struct {
	Code  string   `json:"code"`
	Teams []string `json:"teams"` // ResourceType codes
}

// IncidentKinds are the incident types riskmap knows [PROP], as
// GET /api/v1/dispatch/meta lists them; an incident of another kind is
// refused, naming it (a deployment's own kinds are not configurable yet).
var IncidentKinds = []IncidentKind{
	{"landslide", []string{"geological", "fire", "medical"}},         // 山体滑坡/泥石流
	{"hazmat_leak", []string{"hazmat", "fire", "medical"}},           // 危化品泄漏
	{"fire", []string{"fire", "medical"}},                            // 火灾
	{"forest_fire", []string{"forest_fire", "fire"}},                 // 森林火灾
	{"flood", []string{"water", "fire", "materials"}},                // 洪涝
	{"traffic", []string{"fire", "medical", "road"}},                 // 道路交通事故
	{"mine", []string{"mine", "medical"}},                            // 矿山事故
	{"building_collapse", []string{"fire", "medical", "geological"}}, // 建筑坍塌
	{"other", nil}, // 其他
}

// ResourceType is a code for a rescue resource's team type, as the
// nearest query takes it, with the team_type values (the demo's and the
// importers' Chinese names) it stands for.
type ResourceType struct {
	Code      string
	TeamTypes []string
}

// ResourceTypes are the team types the nearest query filters by. A type
// parameter may also name a team_type value itself (e.g. 消防救援).
var ResourceTypes = []ResourceType{
	{"fire", []string{"消防救援"}},
	{"forest_fire", []string{"森林消防"}},
	{"hazmat", []string{"危化品救援"}},
	{"mine", []string{"矿山救护"}},
	{"water", []string{"水域救援"}},
	{"geological", []string{"地质灾害"}},
	{"medical", []string{"医疗急救"}},
	{"materials", []string{"物资储备库"}},
	{"social", []string{"社会应急力量"}},
	{"grassroots", []string{"基层应急队伍"}},
	{"power", []string{"电力抢修"}},
	{"comms", []string{"通信保障"}},
	{"road", []string{"交通抢通"}},
	{"militia", []string{"民兵"}},
}

// Resource statuses a dispatch sets and reads. Others (available,
// standby, out_of_service) come from the resources' sources.
const (
	StatusAvailable  = "available"
	StatusDispatched = "dispatched"
)

// Incident is a reported emergency at a point.
type Incident struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Level       string     `json:"level"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Lon         float64    `json:"lon"` // CGCS2000/WGS84
	Lat         float64    `json:"lat"`
	County      string     `json:"county_code,omitempty"`
	Division    string     `json:"division_code,omitempty"` // the deepest division at its place
	ReportedAt  time.Time  `json:"reported_at"`
	Status      string     `json:"status"`
	CreatedBy   string     `json:"created_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	// Assignments are the resources given to it, active and released.
	Assignments []Assignment `json:"assignments"`
	// Receipts are the levels' receipts of it (上报), the county first.
	Receipts []Receipt `json:"receipts"`
}

// NewIncident is what a dispatcher reports. Lon and Lat are in CRS
// (wgs84 when empty, or gcj02, bd09, cgcs2000), as copied from AMap,
// Baidu or WeChat; Check turns them into CGCS2000.
type NewIncident struct {
	Kind        string   `json:"kind"`
	Level       string   `json:"level"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Lon         *float64 `json:"lon"`
	Lat         *float64 `json:"lat"`
	CRS         string   `json:"crs"`
	// Coordinates is pasted text (see ParseCoordinates), instead of Lon
	// and Lat.
	Coordinates string     `json:"coordinates"`
	ReportedAt  *time.Time `json:"reported_at"` // default: now
}

// Check validates the report and returns its point in CGCS2000. Errors
// are *ParamError values naming the field.
func (n *NewIncident) Check(now time.Time) (orb.Point, error) {
	if n.Kind == "" {
		return orb.Point{}, Invalidf("kind", "missing (want one of %s)", kindList())
	}
	if !slices.ContainsFunc(IncidentKinds, func(k IncidentKind) bool { return k.Code == n.Kind }) {
		return orb.Point{}, Invalidf("kind", "%q is not an incident type (want one of %s)", n.Kind, kindList())
	}
	if !slices.Contains(IncidentLevels, n.Level) {
		return orb.Point{}, Invalidf("level", "%q is not a level (want I, II, III or IV: 特别重大, 重大, 较大, 一般)", n.Level)
	}
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		return orb.Point{}, Invalidf("title", "missing")
	}
	if utf8.RuneCountInString(n.Title) > 200 {
		return orb.Point{}, Invalidf("title", "longer than 200 characters")
	}
	if utf8.RuneCountInString(n.Description) > 4000 {
		return orb.Point{}, Invalidf("description", "longer than 4000 characters")
	}
	if n.Coordinates != "" {
		if n.Lon != nil || n.Lat != nil {
			return orb.Point{}, Invalidf("coordinates", "give either coordinates or lon and lat, not both")
		}
		p, err := ParseCoordinates("coordinates", n.Coordinates)
		if err != nil {
			return orb.Point{}, err
		}
		n.Lon, n.Lat = &p[0], &p[1]
	}
	if n.Lon == nil {
		return orb.Point{}, Invalidf("lon", "missing")
	}
	if n.Lat == nil {
		return orb.Point{}, Invalidf("lat", "missing")
	}
	p, err := PointIn("", *n.Lon, *n.Lat, n.CRS)
	if err != nil {
		return orb.Point{}, err
	}
	if n.ReportedAt == nil {
		t := now
		n.ReportedAt = &t
	} else if n.ReportedAt.After(now.Add(5 * time.Minute)) {
		return orb.Point{}, Invalidf("reported_at", "%s is in the future", n.ReportedAt.Format(time.RFC3339))
	}
	return p, nil
}

// PointIn checks lon, lat in the coordinate system named crsName (empty:
// WGS84) and returns them in CGCS2000/WGS84. prefix is put before the
// parameter names of its errors (lon, lat, crs), e.g. "from_".
func PointIn(prefix string, lon, lat float64, crsName string) (orb.Point, error) {
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return orb.Point{}, Invalidf(prefix+"lon", "%v is not a longitude (-180 to 180)", lon)
	}
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return orb.Point{}, Invalidf(prefix+"lat", "%v is not a latitude (-90 to 90)", lat)
	}
	if crsName == "" {
		return orb.Point{lon, lat}, nil
	}
	sys, err := crs.Parse(crsName)
	if err != nil || !sys.Named() {
		return orb.Point{}, Invalidf(prefix+"crs", "%q is not a coordinate system here (want wgs84, cgcs2000, gcj02 or bd09)", crsName)
	}
	return sys.ToWGS84(orb.Point{lon, lat}), nil
}

func kindList() string {
	codes := make([]string, len(IncidentKinds))
	for i, k := range IncidentKinds {
		codes[i] = k.Code
	}
	return strings.Join(codes, ", ")
}

// IncidentUpdate changes an incident's state. Closing releases its
// resources.
type IncidentUpdate struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// Check validates the update against the incident's state; a move the
// state does not allow is a *StateError.
func (u IncidentUpdate) Check(from string) error {
	switch u.Status {
	case IncidentOpen, IncidentResponding, IncidentClosed:
	default:
		return Invalidf("status", "%q is not a state (want open, responding or closed)", u.Status)
	}
	if from == IncidentClosed {
		return &StateError{State: from, Action: "set status " + u.Status}
	}
	return nil
}

// Assignment is a resource given to an incident.
type Assignment struct {
	ID           int64      `json:"id"`
	IncidentID   int64      `json:"incident_id"`
	ResourceID   int64      `json:"resource_id"`
	ResourceName string     `json:"resource_name"`
	TeamType     string     `json:"team_type,omitempty"`
	StraightM    float64    `json:"straight_m"`
	ETASeconds   *float64   `json:"eta_s"`
	ETAMethod    string     `json:"eta_method"` // network or straight_line
	AssignedBy   string     `json:"assigned_by"`
	AssignedAt   time.Time  `json:"assigned_at"`
	ReleasedBy   string     `json:"released_by,omitempty"`
	ReleasedAt   *time.Time `json:"released_at,omitempty"`
	Active       bool       `json:"active"`
}

// Position is a GPS/北斗 fix of a resource.
type Position struct {
	Lon        *float64  `json:"lon"` // required: nil is a missing field
	Lat        *float64  `json:"lat"`
	CRS        string    `json:"crs,omitempty"`
	AccuracyM  *float64  `json:"accuracy_m,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Ranking says how a nearest query ranked its answer.
const (
	ByDistance = "distance" // geodesic straight-line metres
	ByTime     = "time"     // road travel time (prep time not included)
)

// NearestQuery asks for the resources or shelters nearest a point.
type NearestQuery struct {
	Point    orb.Point // CGCS2000/WGS84
	Category Category  // RescueResources or Shelters
	Filter   Filter    // status, type, capacity: a condition on the objects
	Limit    int       // 1..MaxNearest
	By       string    // ByDistance or ByTime
}

// MaxNearest bounds a nearest query's limit.
const MaxNearest = 100

// DefaultNearest is the limit when none is given.
const DefaultNearest = 10

// NearestParams are the query parameters ParseNearest reads.
var NearestParams = []string{"lon", "lat", "crs", "category", "type", "status", "min_capacity", "limit", "by"}

// ParseNearest reads a nearest query:
//
//	lon, lat, crs      the incident's point (crs wgs84, the default, cgcs2000, gcj02 or bd09)
//	category           rescue_resources (the default) or shelters
//	type=fire,medical  resource types (ResourceTypes codes, or team_type values)
//	status=available   statuses (comma-separated); none: any
//	min_capacity=N     headcount ≥ N (resources) or capacity_persons ≥ N (shelters)
//	limit=N            1..100, default 10
//	by                 distance (the default) or time
//
// Errors are *ParamError values naming the parameter.
func ParseNearest(q url.Values) (NearestQuery, error) {
	var nq NearestQuery
	lon, err := floatParam(q, "lon")
	if err != nil {
		return nq, err
	}
	lat, err := floatParam(q, "lat")
	if err != nil {
		return nq, err
	}
	if nq.Point, err = PointIn("", lon, lat, q.Get("crs")); err != nil {
		return nq, err
	}
	nq.Category = RescueResources
	if v := q.Get("category"); v != "" {
		switch Category(v) {
		case RescueResources, Shelters:
			nq.Category = Category(v)
		default:
			return nq, Invalidf("category", "%q is not a category nearest searches (want rescue_resources or shelters)", v)
		}
	}
	var conds []cql.Expr
	if vs := list(q["type"]); len(vs) > 0 {
		if nq.Category != RescueResources {
			return nq, Invalidf("type", "only rescue_resources have a type")
		}
		in := cql.In{X: cql.Property{Name: "team_type"}}
		for _, v := range vs {
			tt, ok := teamTypes(v)
			if !ok {
				return nq, Invalidf("type", "%q is not a resource type (want one of %s, or a team type such as 消防救援)", v, typeList())
			}
			for _, t := range tt {
				in.List = append(in.List, cql.String{Value: t})
			}
		}
		if len(in.List) > maxListValues {
			return nq, Invalidf("type", "more than %d types", maxListValues)
		}
		conds = append(conds, in)
	}
	if vs := list(q["status"]); len(vs) > 0 {
		in := cql.In{X: cql.Property{Name: "status"}}
		for _, v := range vs {
			if v == "" {
				return nq, Invalidf("status", "empty status in the list (want e.g. available,standby)")
			}
			in.List = append(in.List, cql.String{Value: v})
		}
		if len(in.List) > maxListValues {
			return nq, Invalidf("status", "more than %d statuses", maxListValues)
		}
		conds = append(conds, in)
	}
	if v := q.Get("min_capacity"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<53 {
			return nq, Invalidf("min_capacity", "%q is not a whole number of persons (0 or more)", v)
		}
		prop := "capacity_persons"
		if nq.Category == RescueResources {
			prop = "headcount"
		}
		conds = append(conds, cql.Compare{Op: cql.Ge, Left: cql.Property{Name: prop}, Right: cql.Number{Value: float64(n)}})
	}
	switch len(conds) {
	case 0:
	case 1:
		nq.Filter.Expr = conds[0]
	default:
		nq.Filter.Expr = cql.And{Args: conds}
	}
	nq.Limit = DefaultNearest
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxNearest {
			return nq, Invalidf("limit", "%q is not a whole number from 1 to %d", v, MaxNearest)
		}
		nq.Limit = n
	}
	nq.By = ByDistance
	switch v := q.Get("by"); v {
	case "", ByDistance:
	case ByTime:
		nq.By = ByTime
	default:
		return nq, Invalidf("by", "%q is not a ranking (want distance or time)", v)
	}
	return nq, nil
}

// floatParam reads a required number parameter.
func floatParam(q url.Values, name string) (float64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, Invalidf(name, "missing")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, Invalidf(name, "%q is not a number", v)
	}
	return f, nil
}

// teamTypes returns the team_type values a type parameter stands for.
func teamTypes(v string) ([]string, bool) {
	for _, t := range ResourceTypes {
		if t.Code == v {
			return t.TeamTypes, true
		}
		if slices.Contains(t.TeamTypes, v) {
			return []string{v}, true
		}
	}
	return nil, false
}

func typeList() string {
	codes := make([]string, len(ResourceTypes))
	for i, t := range ResourceTypes {
		codes[i] = t.Code
	}
	return strings.Join(codes, ", ")
}

// Candidate is one answer of a nearest query.
type Candidate struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Category  Category `json:"category"`
	Lon       float64  `json:"lon"`
	Lat       float64  `json:"lat"`
	County    string   `json:"county_code,omitempty"`
	Grade     Grade    `json:"grade"`
	StraightM float64  `json:"straight_m"` // geodesic metres (CGCS2000 spheroid)
	Travel    *Travel  `json:"travel,omitempty"`
	// ETASeconds is prep time plus road travel time, when both are known.
	ETASeconds *float64 `json:"eta_s,omitempty"`
	// PrepMinutes is the resource's mobilisation time (prep_time_min),
	// when known.
	PrepMinutes *float64        `json:"prep_time_min,omitempty"`
	Attributes  json.RawMessage `json:"attributes"` // a JSON object, as stored
}

// Nearest is the answer to a nearest query, saying how it ranked.
type Nearest struct {
	RankedBy string `json:"ranked_by"` // distance or time
	// Method says what ranked it: "knn" (straight-line, from the spatial
	// index) or "knn+network" (pre-selected by distance, ranked by road
	// travel time).
	Method     string      `json:"method"`
	Preselect  int         `json:"preselected,omitempty"`
	Network    NetworkInfo `json:"network"`
	Candidates []Candidate `json:"candidates"`
	// Note explains a fallback, e.g. no road network loaded.
	Note string `json:"note,omitempty"`
}

// AroundQuery asks what lies around an incident: within each of Radii
// (metres, ascending) of Point, or, when Polygon is set, inside it
// (Point is then its centroid, for distances).
type AroundQuery struct {
	Point   orb.Point
	Radii   []float64
	Polygon orb.Geometry // Polygon or MultiPolygon, CGCS2000
}

// MaxAroundRadius bounds a radius of the around analysis (50 km).
const MaxAroundRadius = 50000

// DefaultAroundRadii are the rings a dispatcher sees first: 1, 3, 5 km.
var DefaultAroundRadii = []float64{1000, 3000, 5000}

// GradeCounts counts objects by grade.
type GradeCounts struct {
	Red        int `json:"red"`
	Orange     int `json:"orange"`
	Yellow     int `json:"yellow"`
	Blue       int `json:"blue"`
	Unassessed int `json:"unassessed"`
	Total      int `json:"total"`
}

// Add counts one object of grade g.
func (c *GradeCounts) Add(g Grade) { c.AddN(g, 1) }

// AddN counts n objects of grade g.
func (c *GradeCounts) AddN(g Grade, n int) {
	switch g {
	case Red:
		c.Red += n
	case Orange:
		c.Orange += n
	case Yellow:
		c.Yellow += n
	case Blue:
		c.Blue += n
	default:
		c.Unassessed += n
	}
	c.Total += n
}

// AroundObject is a risk object in the area.
type AroundObject struct {
	ID        int64    `json:"id"`
	Category  Category `json:"category"`
	Name      string   `json:"name"`
	Grade     Grade    `json:"grade"`
	Lon       float64  `json:"lon"`
	Lat       float64  `json:"lat"`
	DistanceM float64  `json:"distance_m"`
	Capacity  *float64 `json:"capacity_persons,omitempty"`
	Status    string   `json:"status,omitempty"`
}

// AroundHazard is a hidden hazard not closed in the area.
type AroundHazard struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	Title     string  `json:"title"`
	Level     string  `json:"level"`
	State     string  `json:"state"`
	Overdue   bool    `json:"overdue"`
	Lon       float64 `json:"lon"`
	Lat       float64 `json:"lat"`
	DistanceM float64 `json:"distance_m"`
}

// CountyShare is a county the area touches, with the share of its area
// inside and, where its population is known, the population estimated
// to live there (population × share: a uniform spread, an estimate).
type CountyShare struct {
	County     string   `json:"county_code"`
	Name       string   `json:"name"`
	Population *int64   `json:"population"`
	Share      float64  `json:"share"`
	Estimate   *float64 `json:"estimate"`
}

// HazardTally counts hidden hazards by level.
type HazardTally struct {
	General int `json:"general"`
	Major   int `json:"major"`
	Total   int `json:"total"`
}

// ShelterSum is the shelters of an area and their total capacity.
type ShelterSum struct {
	Count    int     `json:"count"`
	Capacity float64 `json:"capacity_persons"`
}

// AroundRing is what lies within one radius (or the polygon).
type AroundRing struct {
	RadiusM            *float64                  `json:"radius_m"` // nil for a polygon
	Objects            map[Category]*GradeCounts `json:"objects"`
	HiddenHazards      HazardTally               `json:"hidden_hazards"`
	Shelters           ShelterSum                `json:"shelters"`
	Population         []CountyShare             `json:"population"`
	PopulationEstimate *float64                  `json:"population_estimate"`
}

// Around is the answer of the around analysis: per ring, and the objects
// and hazards of the largest (most severe and nearest first, at most
// MaxAroundList of each; Truncated says when more were left out).
type Around struct {
	Rings     []AroundRing   `json:"rings"`
	Objects   []AroundObject `json:"objects"`
	Hazards   []AroundHazard `json:"hazards"`
	Truncated bool           `json:"truncated"`
}

// MaxAroundList bounds the objects (and the hazards) an around analysis
// lists.
const MaxAroundList = 5000

// ParseCoordinates reads a point pasted from a map app, a message or a
// spreadsheet: two numbers separated by a comma (ASCII or full-width),
// a semicolon or spaces, each decimal or degrees-minutes-seconds (see
// crs.ParseDegrees), e.g. "119.9228,28.4517", "28.4517, 119.9228",
// "北纬28°27′06″ 东经119°55′22″". With hemispheres, they say which is
// which; without, the value beyond ±90 is the longitude, and when both are
// within ±90 the order is longitude, latitude (AMap's and Baidu's). Errors
// are *ParamError values for param.
func ParseCoordinates(param, text string) (orb.Point, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return orb.Point{}, Invalidf(param, "empty (want a longitude and a latitude, e.g. 119.92,28.45)")
	}
	if len(t) > 200 {
		return orb.Point{}, Invalidf(param, "longer than 200 characters")
	}
	t = strings.NewReplacer("，", ",", "；", ",", ";", ",", "、", ",").Replace(t)
	var parts []string
	if strings.Contains(t, ",") {
		parts = strings.Split(t, ",")
	} else {
		parts = splitHalves(t)
	}
	if len(parts) != 2 {
		return orb.Point{}, Invalidf(param, "%q: want two numbers, a longitude and a latitude", shortText(text))
	}
	var v [2]float64
	var ax [2]crs.Axis
	for i, p := range parts {
		var err error
		if v[i], ax[i], err = crs.ParseDegrees(strings.TrimSpace(p)); err != nil {
			return orb.Point{}, Invalidf(param, "%q is not a longitude or latitude", shortText(p))
		}
	}
	swap := false
	switch {
	case ax[0] == crs.AxisLat || ax[1] == crs.AxisLon:
		swap = true
	case ax[0] == crs.AxisLon || ax[1] == crs.AxisLat:
	case math.Abs(v[0]) <= 90 && math.Abs(v[1]) > 90:
		swap = true
	}
	if swap {
		v[0], v[1] = v[1], v[0]
	}
	if ax[0] != crs.AxisUnknown && ax[0] == ax[1] {
		return orb.Point{}, Invalidf(param, "%q: both numbers are %ss", shortText(text), ax[0])
	}
	if math.Abs(v[1]) > 90 {
		return orb.Point{}, Invalidf(param, "%q: no latitude (both numbers are beyond ±90)", shortText(text))
	}
	return orb.Point{v[0], v[1]}, nil
}

// splitHalves splits "lon lat" written with spaces. Degrees-minutes-
// seconds may have spaces inside too ("119 55 12 E 28 27 06 N"), so when
// there are more than two fields it splits after a hemisphere letter or
// at the middle of an even count.
func splitHalves(t string) []string {
	f := strings.Fields(t)
	if len(f) == 2 {
		return f
	}
	for i := 0; i < len(f)-1; i++ {
		last, _ := utf8.DecodeLastRuneInString(f[i])
		if strings.ContainsRune("NSEWnsew", last) || strings.HasSuffix(f[i], "纬") || strings.HasSuffix(f[i], "经") {
			if !strings.ContainsRune("NSEWnsew", rune(f[i][0])) || len(f[i]) > 1 {
				return []string{strings.Join(f[:i+1], " "), strings.Join(f[i+1:], " ")}
			}
		}
	}
	if len(f)%2 == 0 && len(f) > 0 {
		return []string{strings.Join(f[:len(f)/2], " "), strings.Join(f[len(f)/2:], " ")}
	}
	return nil
}

func shortText(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// Receipt is one level's receipt of a reported incident (上报 and 接报):
// the county and every level above it receive each incident, each
// within its time.
type Receipt struct {
	Division     string     `json:"division_code"`
	DivisionName string     `json:"division_name"`
	Level        string     `json:"level"`
	DueAt        time.Time  `json:"due_at"`
	ReceivedBy   string     `json:"received_by,omitempty"`
	ReceivedAt   *time.Time `json:"received_at,omitempty"`
	Overdue      bool       `json:"overdue"` // not received in time (or received late)
}

// ReportLimits are how long the levels have to receive an incident: the
// county from the report, each level above that much more (国务院令493号:
// 1 h for the county, 2 h for each level that forwards it).
type ReportLimits struct {
	County, PerLevel time.Duration
}

// DefaultReportLimits are 493号's.
var DefaultReportLimits = ReportLimits{County: time.Hour, PerLevel: 2 * time.Hour}

// Tasks are what waits for a division: incidents to receive, hidden
// hazards to move on, and supervisions (督办) to acknowledge, feed back
// on, rectify or lift, with their deadlines.
type Tasks struct {
	Division string `json:"division"` // "" for the whole deployment
	// Counts: receipts, receipts_overdue, hazards, hazards_overdue,
	// supervisions, supervisions_overdue.
	Counts       map[string]int `json:"counts"`
	Receipts     []ReceiptTask  `json:"receipts"`
	Hazards      []HazardTask   `json:"hazards"`
	Supervisions []Supervision  `json:"supervisions"` // Step says what each waits for
}

// ReceiptTask is an incident a division has not received yet.
type ReceiptTask struct {
	IncidentID   int64     `json:"incident_id"`
	Title        string    `json:"title"`
	Level        string    `json:"level"`
	ReportedAt   time.Time `json:"reported_at"`
	Division     string    `json:"division_code"`
	DivisionName string    `json:"division_name"`
	DueAt        time.Time `json:"due_at"`
	Overdue      bool      `json:"overdue"`
}

// HazardTask is an open hidden hazard waiting for its next step.
type HazardTask struct {
	ID                  int64  `json:"id"`
	Code                string `json:"code"`
	Title               string `json:"title"`
	Level               string `json:"level"`
	State               string `json:"state"`
	Division            string `json:"division_code"`
	DivisionName        string `json:"division_name"`
	RectifyDeadline     string `json:"rectify_deadline,omitempty"`
	Overdue             bool   `json:"overdue"`
	SupervisionDeadline string `json:"supervision_deadline,omitempty"`
	SupervisionOverdue  bool   `json:"supervision_overdue"`
	// SupervisedBy are the divisions that supervise it (督办 not lifted).
	SupervisedBy []string `json:"supervised_by"`
}
