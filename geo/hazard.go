package geo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Local is the zone of the loop's dates (found on, deadlines, closed on):
// Asia/Shanghai, or UTC+8 where the system has no zone database.
var Local = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// Hazard is a hidden hazard (隐患) and where it stands in its closed loop
// (../shared/docs/domain.md §2.6).
type Hazard struct {
	ID                  int64           `json:"id"`
	Code                string          `json:"code"` // 隐患编号
	ObjectID            *int64          `json:"object_id,omitempty"`
	ObjectName          string          `json:"object_name,omitempty"`     // filled in on reads
	ObjectCategory      string          `json:"object_category,omitempty"` // filled in on reads
	Title               string          `json:"title"`
	Description         string          `json:"description,omitempty"`
	Level               string          `json:"level"` // general (一般) or major (重大)
	DiscoverySource     string          `json:"discovery_source"`
	FoundOn             string          `json:"found_on"` // YYYY-MM-DD
	Point               orb.Point       `json:"-"`
	Lon                 float64         `json:"lon"`
	Lat                 float64         `json:"lat"`
	County              string          `json:"county_code,omitempty"`
	Division            string          `json:"division_code,omitempty"` // its object's division, or the deepest at its place
	State               string          `json:"state"`
	ResponsibleUnit     string          `json:"responsible_unit,omitempty"`
	ResponsiblePerson   string          `json:"responsible_person,omitempty"`
	RectifyDeadline     string          `json:"rectify_deadline,omitempty"`
	SupervisionLevel    string          `json:"supervision_level,omitempty"`
	AssignedOn          string          `json:"assigned_on,omitempty"`
	SupervisionDays     int             `json:"supervision_days,omitempty"`
	SupervisionDeadline string          `json:"supervision_deadline,omitempty"`
	Plan                json.RawMessage `json:"plan,omitempty"`
	Evidence            json.RawMessage `json:"evidence"`
	ClosedOn            string          `json:"closed_on,omitempty"`
	Overdue             bool            `json:"overdue"`             // past the rectification deadline, not accepted
	SupervisionOverdue  bool            `json:"supervision_overdue"` // past the 督办 window, not closed
	Events              []HazardEvent   `json:"events,omitempty"`
	Supervisions        []Supervision   `json:"supervisions,omitempty"` // 督办 by the levels above
}

// HazardEvent is one step of a hazard's loop, with who and when.
type HazardEvent struct {
	Action string          `json:"action"`
	From   string          `json:"from,omitempty"`
	To     string          `json:"to"`
	Actor  string          `json:"actor"`
	At     time.Time       `json:"at"`
	Note   string          `json:"note,omitempty"`
	Detail json.RawMessage `json:"details,omitempty"`
}

// HazardLevels, HazardSources and HazardStates are the allowed values.
var (
	HazardLevels  = []string{"general", "major"}
	HazardSources = []string{"self_check", "inspection", "covert_inspection", "report", "patrol", "monitoring_alarm", "upper_assigned"}
	HazardStates  = []string{"reported", "assigned", "rectifying", "pending_acceptance", "accepted", "closed", "invalid"}
	// SupervisionDays is the default 督办 window by supervising level:
	// the plan's 市级60日 and 县级30日 (a request may give its own).
	SupervisionDays = map[string]int{"county": 30, "city": 60, "province": 60}
	// PlanElements are the six parts of a 治理方案 (令16号 Art. 15) that a
	// major hazard needs before it is assigned.
	PlanElements = []string{"goal", "methods", "funds_materials", "org_people", "timeline", "safety_contingency"}
)

// HazardStep is a request to move a hazard one step along its loop.
type HazardStep struct {
	Action            string          `json:"action"`
	Note              string          `json:"note,omitempty"`
	ResponsibleUnit   string          `json:"responsible_unit,omitempty"`
	ResponsiblePerson string          `json:"responsible_person,omitempty"`
	RectifyDeadline   string          `json:"rectify_deadline,omitempty"`  // YYYY-MM-DD
	SupervisionLevel  string          `json:"supervision_level,omitempty"` // county, city, province
	SupervisionDays   int             `json:"supervision_days,omitempty"`  // 0: the level's default
	Plan              json.RawMessage `json:"plan,omitempty"`
	Evidence          json.RawMessage `json:"evidence,omitempty"` // [{"name": …, "url": …}] or any non-empty array
}

// hazardMoves lists, for each action, the states it starts from and the
// state it leads to.
var hazardMoves = map[string]struct {
	from []string
	to   string
}{
	"assign":             {[]string{"reported"}, "assigned"},
	"start":              {[]string{"assigned"}, "rectifying"},
	"request_acceptance": {[]string{"rectifying"}, "pending_acceptance"},
	"accept":             {[]string{"pending_acceptance"}, "accepted"},
	"reject_acceptance":  {[]string{"pending_acceptance"}, "rectifying"},
	"close":              {[]string{"accepted"}, "closed"},
	// 立即整改: a general hazard put right on the spot, with evidence.
	"rectify_immediately": {[]string{"assigned", "rectifying"}, "closed"},
	"invalidate":          {[]string{"reported"}, "invalid"},
}

// HazardActions lists the actions, sorted.
func HazardActions() []string {
	var out []string
	for a := range hazardMoves {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Apply checks the step against h on the local date of today and returns
// the state it leads to.
// Fields the step needs are checked here (errors name them); what the
// current state does not allow is a *StateError.
func (st HazardStep) Apply(h Hazard, today time.Time) (string, error) {
	m, ok := hazardMoves[st.Action]
	if !ok {
		return "", Invalidf("action", "%q: want one of %s", st.Action, strings.Join(HazardActions(), ", "))
	}
	if !slices.Contains(m.from, h.State) {
		return "", &StateError{Action: st.Action, State: h.State, Reason: "allowed from " + strings.Join(m.from, " or ")}
	}
	switch st.Action {
	case "assign":
		if strings.TrimSpace(st.ResponsibleUnit) == "" {
			return "", Invalidf("responsible_unit", "required to assign (交办) a hazard")
		}
		if _, err := time.Parse(time.DateOnly, st.RectifyDeadline); err != nil {
			return "", Invalidf("rectify_deadline", "%q: want a date, YYYY-MM-DD", st.RectifyDeadline)
		}
		if st.RectifyDeadline < today.Format(time.DateOnly) { // both local dates
			return "", Invalidf("rectify_deadline", "%s is in the past", st.RectifyDeadline)
		}
		if _, ok := SupervisionDays[st.SupervisionLevel]; !ok {
			return "", Invalidf("supervision_level", "%q: want county, city or province", st.SupervisionLevel)
		}
		if st.SupervisionDays < 0 || st.SupervisionDays > 366 {
			return "", Invalidf("supervision_days", "%d: want 1 to 366, or 0 for the level's default", st.SupervisionDays)
		}
		if h.Level == "major" {
			if err := checkPlan(st.Plan); err != nil {
				return "", err
			}
		}
	case "rectify_immediately":
		if h.Level != "general" {
			return "", &StateError{Action: st.Action, State: h.State, Reason: "only a general hazard may be put right on the spot; a major one goes through acceptance"}
		}
		if err := checkEvidence(st.Evidence); err != nil {
			return "", err
		}
	case "close":
		if err := checkEvidence(st.Evidence); err != nil {
			return "", err
		}
	}
	return m.to, nil
}

func checkPlan(raw json.RawMessage) error {
	var plan map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &plan) != nil {
		return Invalidf("plan", "a major hazard needs a rectification plan (治理方案) with %s", strings.Join(PlanElements, ", "))
	}
	for _, k := range PlanElements {
		if v, ok := plan[k]; !ok || v == nil || v == "" {
			return Invalidf("plan."+k, "missing: a 治理方案 needs %s", strings.Join(PlanElements, ", "))
		}
	}
	return nil
}

func checkEvidence(raw json.RawMessage) error {
	var ev []any
	if len(raw) == 0 || json.Unmarshal(raw, &ev) != nil || len(ev) == 0 {
		return Invalidf("evidence", "closing a hazard needs evidence: a non-empty array of attachments")
	}
	return nil
}

// CheckNew checks a hazard being reported; errors name the field.
func (h Hazard) CheckNew() error {
	switch {
	case strings.TrimSpace(h.Code) == "":
		return Invalidf("code", "required (隐患编号)")
	case strings.TrimSpace(h.Title) == "":
		return Invalidf("title", "required")
	case !slices.Contains(HazardLevels, h.Level):
		return Invalidf("level", "%q: want general or major", h.Level)
	case !slices.Contains(HazardSources, h.DiscoverySource):
		return Invalidf("discovery_source", "%q: want one of %s", h.DiscoverySource, strings.Join(HazardSources, ", "))
	}
	if _, err := time.Parse(time.DateOnly, h.FoundOn); err != nil {
		return Invalidf("found_on", "%q: want a date, YYYY-MM-DD", h.FoundOn)
	}
	if h.ObjectID == nil {
		if h.Lon < -180 || h.Lon > 180 || h.Lat < -90 || h.Lat > 90 || (h.Lon == 0 && h.Lat == 0) {
			return Invalidf("lon", "give object_id, or lon and lat of the hazard (CGCS2000/WGS84 degrees)")
		}
	}
	return nil
}

// String names the hazard for logs.
func (h Hazard) String() string { return fmt.Sprintf("hazard %d (%s)", h.ID, h.Code) }

// HazardCounts are a county's hidden hazards.
type HazardCounts struct {
	County      string `json:"county_code"`
	Name        string `json:"name"`
	Open        int    `json:"open"`
	Overdue     int    `json:"overdue"`
	OpenMajor   int    `json:"open_major"`
	ClosedMonth int    `json:"closed_this_month"`
}
