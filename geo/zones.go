package geo

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Zones is the layer of the hazard zones planners draw (not deleted).
const Zones Layer = "zones"

// HazardTypes are the hazards a zone delimits (domain.md §2.5).
var HazardTypes = []string{
	"flood",             // 洪涝/山洪
	"waterlogging",      // 城市内涝
	"landslide",         // 滑坡
	"debris_flow",       // 泥石流
	"collapse",          // 崩塌
	"ground_subsidence", // 地面塌陷
	"geological_other",  // 其他地质灾害
	"forest_fire",       // 森林火灾
	"typhoon",           // 台风
	"chemical",          // 危险化学品
	"earthquake",        // 地震
	"other",             // 其他
}

// ZoneKinds are what a zone is for (domain.md §2.5).
var ZoneKinds = []string{
	"risk_zone",           // 风险区划
	"prevention_zone",     // 综合防治区划
	"danger_area",         // 危险区
	"evacuation_area",     // 转移区
	"protection_distance", // 防护距离
}

// ZoneSources are where a zone comes from.
var ZoneSources = []string{"planner", "survey", "model", "provincial_feed", "import"}

// Zone is a hazard zone as it stands (or as one of its versions was).
type Zone struct {
	ID          int64            `json:"id"`
	Version     int              `json:"version"`
	Name        string           `json:"name"`
	HazardType  string           `json:"hazard_type"`
	Kind        string           `json:"zone_kind"`
	Grade       Grade            `json:"-"`
	Description string           `json:"description"`
	SeasonFrom  string           `json:"season_from,omitempty"` // MM-DD each year (汛期 04-15)
	SeasonTo    string           `json:"season_to,omitempty"`
	ValidFrom   string           `json:"valid_from,omitempty"` // YYYY-MM-DD
	ValidTo     string           `json:"valid_to,omitempty"`
	Source      string           `json:"source"`
	DrawnBy     string           `json:"drawn_by"`
	Counties    []string         `json:"counties"`
	AreaM2      float64          `json:"area_m2"`
	Geometry    orb.MultiPolygon `json:"-"`
	Action      string           `json:"action"` // what the version's write did: create, update, delete, restore, import, split, merge
	UpdatedBy   string           `json:"updated_by"`
	UpdatedAt   time.Time        `json:"updated_at"`
	Deleted     bool             `json:"deleted"`
	// Repaired lists what was mended on the way in (the planner's
	// consent was repair=true, clip=true or snap).
	Repaired []GeometryProblem `json:"repaired,omitempty"`
}

// ZoneFields are a zone's attributes as a client sends them: the
// properties of a GeoJSON feature.
type ZoneFields struct {
	Name        string `json:"name"`
	HazardType  string `json:"hazard_type"`
	Kind        string `json:"zone_kind"`
	Grade       string `json:"grade"`
	Description string `json:"description"`
	SeasonFrom  string `json:"season_from"`
	SeasonTo    string `json:"season_to"`
	ValidFrom   string `json:"valid_from"`
	ValidTo     string `json:"valid_to"`
	Source      string `json:"source"`
}

// ZoneOptions are the planner's consent to change the geometry sent.
type ZoneOptions struct {
	Repair bool // mend what CheckPolygons and PostGIS find (closing, turning, removing spikes, ST_MakeValid)
	Clip   bool // cut off what lies outside the service area
	// SnapM, when above 0, snaps vertices within that many metres to the
	// county boundaries (at most MaxSnapM).
	SnapM float64
}

// MaxSnapM bounds the snapping distance to county boundaries.
const MaxSnapM = 500

// ZoneFeature is a zone as a client sends it.
type ZoneFeature struct {
	Fields   ZoneFields
	Geometry orb.Geometry
}

var (
	monthDay = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
)

// ParseZoneFeature reads a zone from a GeoJSON Feature: its geometry a
// Polygon or MultiPolygon, its properties ZoneFields (unknown ones are
// refused, named). The fields are checked (Check); the geometry only for
// being present.
func ParseZoneFeature(data []byte) (ZoneFeature, error) {
	var raw struct {
		Type       string          `json:"type"`
		ID         json.RawMessage `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
		BBox       json.RawMessage `json:"bbox"`
	}
	var out ZoneFeature
	if err := json.Unmarshal(data, &raw); err != nil {
		return out, Invalidf("body", "not a GeoJSON Feature (JSON object)")
	}
	if raw.Type != "Feature" {
		return out, Invalidf("type", "%q: send a GeoJSON Feature", clipText(raw.Type, 40))
	}
	if len(raw.Geometry) == 0 || string(raw.Geometry) == "null" {
		return out, Invalidf("geometry", "required: a Polygon or MultiPolygon")
	}
	g, err := geojson.UnmarshalGeometry(raw.Geometry)
	if err != nil {
		return out, Invalidf("geometry", "not a GeoJSON geometry")
	}
	out.Geometry = g.Geometry()
	if len(raw.Properties) > 0 && string(raw.Properties) != "null" {
		dec := json.NewDecoder(strings.NewReader(string(raw.Properties)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out.Fields); err != nil {
			var ute *json.UnmarshalTypeError
			switch {
			case strings.HasPrefix(err.Error(), "json: unknown field "):
				name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
				return out, Invalidf("properties."+name, "unknown field")
			case asType(err, &ute):
				return out, Invalidf("properties."+ute.Field, "want a %s", ute.Type)
			}
			return out, Invalidf("properties", "not a JSON object")
		}
	}
	return out, out.Fields.Check()
}

func asType(err error, t **json.UnmarshalTypeError) bool {
	e, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*t = e
	}
	return ok
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Check tells whether the fields make a zone, naming the first that
// does not (as properties.<field>). Source defaults to planner.
func (f *ZoneFields) Check() error {
	f.Name = strings.TrimSpace(f.Name)
	for name, v := range map[string]string{"name": f.Name, "description": f.Description, "source": f.Source} {
		if strings.ContainsRune(v, 0) {
			return Invalidf("properties."+name, "contains a NUL character")
		}
	}
	switch {
	case f.Name == "":
		return Invalidf("properties.name", "required: the zone's name")
	case utf8.RuneCountInString(f.Name) > 200:
		return Invalidf("properties.name", "longer than 200 characters")
	case !slices.Contains(HazardTypes, f.HazardType):
		return Invalidf("properties.hazard_type", "%q is not a hazard type (want one of %s)", clipText(f.HazardType, 40), strings.Join(HazardTypes, ", "))
	case !slices.Contains(ZoneKinds, f.Kind):
		return Invalidf("properties.zone_kind", "%q is not a zone kind (want one of %s)", clipText(f.Kind, 40), strings.Join(ZoneKinds, ", "))
	case utf8.RuneCountInString(f.Description) > 4000:
		return Invalidf("properties.description", "longer than 4000 characters")
	}
	g, err := ParseGrade(f.Grade)
	if err != nil || !g.Assessed() {
		return Invalidf("properties.grade", "%q is not a grade (want red, orange, yellow or blue)", clipText(f.Grade, 40))
	}
	if (f.SeasonFrom == "") != (f.SeasonTo == "") {
		return Invalidf("properties.season_to", "give both season_from and season_to (MM-DD), or neither")
	}
	for name, v := range map[string]string{"season_from": f.SeasonFrom, "season_to": f.SeasonTo} {
		if v != "" && !monthDay.MatchString(v) {
			return Invalidf("properties."+name, "%q is not a day of the year (MM-DD, e.g. 04-15)", clipText(v, 40))
		}
	}
	var from, to time.Time
	for name, v := range map[string]string{"valid_from": f.ValidFrom, "valid_to": f.ValidTo} {
		if v == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return Invalidf("properties."+name, "%q is not a date (YYYY-MM-DD)", clipText(v, 40))
		}
		if name == "valid_from" {
			from = d
		} else {
			to = d
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return Invalidf("properties.valid_to", "%s is before valid_from %s", f.ValidTo, f.ValidFrom)
	}
	if f.Source == "" {
		f.Source = "planner"
	}
	if utf8.RuneCountInString(f.Source) > 200 {
		return Invalidf("properties.source", "longer than 200 characters")
	}
	return nil
}

// GradeValue is the fields' grade (Check has passed).
func (f ZoneFields) GradeValue() Grade {
	g, _ := ParseGrade(f.Grade)
	return g
}

// MarshalJSON writes the zone with its grade as its code.
func (z Zone) MarshalJSON() ([]byte, error) {
	type plain Zone
	return json.Marshal(struct {
		plain
		Grade string `json:"grade"`
	}{plain(z), z.Grade.String()})
}

// Feature is the zone as a GeoJSON feature, its attributes as properties.
func (z Zone) Feature() *geojson.Feature {
	f := geojson.NewFeature(z.Geometry)
	f.ID = z.ID
	b, _ := json.Marshal(z)
	_ = json.Unmarshal(b, &f.Properties)
	return f
}

// ZoneRef names a zone at the version a client saw (for a merge).
type ZoneRef struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
}

// ZoneQuery selects zones for a list.
type ZoneQuery struct {
	BBox        *orb.Bound
	HazardTypes []string
	Grades      []Grade
	Deleted     bool // the deleted ones instead of the others
	Limit       int
	Offset      int
}

// MaxZoneList bounds a page of zones.
const MaxZoneList = 1000

// ZoneVersion is one saved version of a zone, without its geometry.
type ZoneVersion struct {
	Version int       `json:"version"`
	Action  string    `json:"action"`
	Name    string    `json:"name"`
	Grade   string    `json:"grade"`
	AreaM2  float64   `json:"area_m2"`
	Deleted bool      `json:"deleted"`
	SavedBy string    `json:"saved_by"`
	SavedAt time.Time `json:"saved_at"`
}

// ZoneOverlap is another zone that overlaps this one.
type ZoneOverlap struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	HazardType string  `json:"hazard_type"`
	Grade      string  `json:"grade"`
	AreaM2     float64 `json:"overlap_m2"`
	Share      float64 `json:"share"`       // of this zone's area
	ShareOther float64 `json:"share_other"` // of the other zone's area
}

// ZoneAnalysis is what a zone holds and touches.
type ZoneAnalysis struct {
	ZoneID  int64   `json:"zone_id"`
	Version int     `json:"version"`
	AreaM2  float64 `json:"area_m2"`
	// Inside: the risk objects by category and grade, hidden hazards,
	// shelters and their capacity, county population shares.
	Inside Around `json:"inside"`
	// ReachM is how far beyond the zone shelters count as within reach.
	ReachM float64 `json:"reach_m"`
	// Reach are the shelters outside the zone but within ReachM of it.
	Reach        []AroundObject `json:"shelters_within_reach"`
	ReachSummary ShelterSum     `json:"shelters_within_reach_total"`
	Overlaps     []ZoneOverlap  `json:"overlaps"`
}

// DefaultZoneReachM is how far from a zone a shelter counts as within
// reach by default: about half an hour on foot [PROP].
const DefaultZoneReachM = 2000

// MaxZoneReachM bounds the reach.
const MaxZoneReachM = 20000

// ParseVersion reads an If-Match header's version (an ETag "3", W/"3"
// or a bare number); 0 when the header is empty.
func ParseVersion(header string) (int, error) {
	v := strings.TrimSpace(header)
	if v == "" {
		return 0, nil
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != v {
		return 0, Invalidf("If-Match", "%q is not a zone version (the ETag you read, e.g. \"3\")", clipText(header, 40))
	}
	return n, nil
}
