// Package geo holds riskmap's domain types: the risk categories, the
// four-colour grade scale, risk objects, administrative divisions, and the
// sentinel errors every adapter maps its failures to.
//
// It imports only the standard library and orb; storage, tiles and the web
// server build on it, never the other way round.
package geo

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/paulmach/orb"
)

// Object is one risk object on the map: an enterprise, bridge, road
// accident black spot, rescue resource or shelter.
type Object struct {
	ID       int64     // stable numeric id, also the vector-tile feature id
	Category Category  // which layer the object belongs to
	Name     string    // display name, usually Chinese
	Point    orb.Point // longitude, latitude in CGCS2000 (≈ WGS84)
	County   string    // GB/T 2260 county adcode, "" when unknown
	// Division is the deepest division the object lies in (a township
	// when townships are loaded, else its county); "" when none. Who may
	// change the object is decided by it.
	Division     string
	DivisionName string         // the division's name, filled in on reads
	CountyName   string         // the county's name, filled in on reads
	Grade        Grade          // Unassessed until an assessment says otherwise
	Score        *float64       // the method's score (LEC D, bridge Dr …), nil when none
	Method       string         // grading method or scheme code, "" when unassessed
	AssessedAt   *time.Time     // when the grade was given, nil when unassessed
	Source       string         // where the record came from, e.g. "demo" or a department
	SourceID     string         // the record's id in that source
	Attributes   map[string]any // category-specific attributes
	// Assessment is the current assessment (geo/grading's Result: scheme,
	// inputs, score, rules applied) as JSON; nil when never assessed.
	Assessment json.RawMessage
	// Scheme and SchemeVersion name the scheme of Assessment ("" and 0
	// when none graded it); geo/grading's Apply sets them with it.
	Scheme        string
	SchemeVersion int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	RetiredAt     *time.Time // when a replacing import no longer had it; nil while active
}

// Version names the state of the object as read: it changes whenever
// the object does. HTTP serves it as the object's ETag.
func (o Object) Version() string { return ObjectVersion(o.ID, o.UpdatedAt) }

// ObjectVersion is the version of object id last changed at changed.
func ObjectVersion(id int64, changed time.Time) string {
	return strconv.FormatInt(id, 10) + "-" + strconv.FormatInt(changed.UnixMicro(), 36)
}

// Division is an administrative area of any level (province, city,
// county, township) with its boundary.
type Division struct {
	Code       string           // GB/T 2260 adcode, GB/T 10114 township code, or a local unit's code
	Name       string           // official Chinese name
	Level      string           // one of DivisionLevels
	ParentCode string           // code of the containing division, "" for the top
	Local      bool             // a local unit (a development zone), not a GB/T 2260 division
	Population *int64           // resident population, nil when unknown
	Geometry   orb.MultiPolygon // boundary in CGCS2000 (≈ WGS84)
	Label      orb.Point        // where the name is drawn, usually the seat of government
	Risk       RiskSummary      // the objects inside, filled in on reads
}

// RiskSummary is the four-colour summary of an area: its highest grade
// (就高原则; Unassessed when nothing inside was assessed, never Blue) and
// the number of objects per grade, indexed by Grade.
type RiskSummary struct {
	Max    Grade
	Counts [5]int
}

// ContextFeature is a feature of the offline background map: a river, a
// road, a town or a county label. It carries no risk.
type ContextFeature struct {
	Kind     string // "river", "road", "town", "seat" or "county_label"
	Name     string
	SourceID string // stable key within the demo or import that made it
	Geometry orb.Geometry
}
