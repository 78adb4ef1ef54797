package geo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Supervision is a 督办 of a hidden hazard by a division above the
// hazard's (plan item 9: 逐级挂牌督办): who supervises, in which mode,
// the window from 交办 in which the hazard must be closed, and the two
// steps of the division below, 签收 (acknowledge) and 反馈 (feedback),
// each with its deadline. The supervising division lifts it (摘牌) once
// the hazard is closed.
type Supervision struct {
	ID             int64  `json:"id"`
	HazardID       int64  `json:"hazard_id"`
	HazardCode     string `json:"hazard_code"`
	HazardTitle    string `json:"hazard_title"`
	HazardLevel    string `json:"hazard_level"`
	HazardState    string `json:"hazard_state"`
	HazardDivision string `json:"hazard_division"`
	// Division is the supervising division.
	Division     string     `json:"division_code"`
	DivisionName string     `json:"division_name"`
	Mode         string     `json:"mode"` // listed (挂牌督办), covert (暗访督办), ordinary (督办)
	Requirements string     `json:"requirements,omitempty"`
	IssuedBy     string     `json:"issued_by"`
	IssuedAt     time.Time  `json:"issued_at"`
	IssuedOn     string     `json:"issued_on"` // local date of 交办
	WindowDays   int        `json:"window_days"`
	DeadlineOn   string     `json:"deadline_on"` // IssuedOn + WindowDays: the hazard closed by then
	AckDue       time.Time  `json:"ack_due"`
	AckedBy      string     `json:"acked_by,omitempty"`
	AckedAt      *time.Time `json:"acked_at,omitempty"`
	AckNote      string     `json:"ack_note,omitempty"`
	FeedbackDue  time.Time  `json:"feedback_due"`
	FedBackBy    string     `json:"fed_back_by,omitempty"`
	FedBackAt    *time.Time `json:"fed_back_at,omitempty"` // the first feedback
	FeedbackNote string     `json:"feedback_note,omitempty"`
	Feedbacks    int        `json:"feedbacks"`
	LiftedBy     string     `json:"lifted_by,omitempty"`
	LiftedAt     *time.Time `json:"lifted_at,omitempty"`
	LiftNote     string     `json:"lift_note,omitempty"`
	// Step is what it waits for: acknowledge or feedback (the division
	// below), rectify (the hazard's loop), lift (the supervising division,
	// the hazard being closed), or lifted (nothing).
	Step string `json:"step"`
	// AckLate, FeedbackLate and DeadlineLate: the step was not done by its
	// deadline (still, or when it was done).
	AckLate      bool `json:"ack_late"`
	FeedbackLate bool `json:"feedback_late"`
	DeadlineLate bool `json:"deadline_late"`
	// Overdue: waiting for a step of the division below (签收, 反馈, or
	// closing the hazard by DeadlineOn) past its deadline.
	Overdue bool `json:"overdue"`
}

// SupervisionModes are the kinds of 督办: 挂牌督办 (listed, for 重大事故隐患
// above all), 暗访督办 (covert: the plan's 60- and 30-day mechanisms) and
// plain 督办.
var SupervisionModes = []string{"listed", "covert", "ordinary"}

// Default deadlines of the supervised division's steps [PROP: the plan
// gives none]: 签收 within a day of 交办, a first 反馈 within a week.
const (
	DefaultAckDays      = 1
	DefaultFeedbackDays = 7
)

// NewSupervision is a request to put a hazard under supervision.
type NewSupervision struct {
	// Division supervises: the actor's own when empty.
	Division     string `json:"division,omitempty"`
	Mode         string `json:"mode"`
	Requirements string `json:"requirements,omitempty"`
	// WindowDays: 0 for the supervising level's (SupervisionDays: 60 for
	// a city or the province, 30 for a county).
	WindowDays int `json:"window_days,omitempty"`
	// AckDays and FeedbackDays from 交办: 0 for the defaults.
	AckDays      int `json:"ack_days,omitempty"`
	FeedbackDays int `json:"feedback_days,omitempty"`
}

// Fill checks n for a supervising division of the given level and sets
// what it left to defaults; errors name the field.
func (n *NewSupervision) Fill(level string) error {
	if !slices.Contains(SupervisionModes, n.Mode) {
		return Invalidf("mode", "%q: want one of %s", n.Mode, strings.Join(SupervisionModes, ", "))
	}
	if n.WindowDays == 0 {
		n.WindowDays = SupervisionDays[level]
		if n.WindowDays == 0 {
			n.WindowDays = SupervisionDays["county"]
		}
	}
	if n.AckDays == 0 {
		n.AckDays = DefaultAckDays
	}
	if n.FeedbackDays == 0 {
		n.FeedbackDays = min(DefaultFeedbackDays, n.WindowDays)
	}
	switch {
	case n.WindowDays < 1 || n.WindowDays > 366:
		return Invalidf("window_days", "%d: want 1 to 366, or 0 for the level's default", n.WindowDays)
	case n.AckDays < 1 || n.AckDays > n.WindowDays:
		return Invalidf("ack_days", "%d: want 1 to the window (%d days)", n.AckDays, n.WindowDays)
	case n.FeedbackDays < n.AckDays || n.FeedbackDays > n.WindowDays:
		return Invalidf("feedback_days", "%d: want from ack_days (%d) to the window (%d days)", n.FeedbackDays, n.AckDays, n.WindowDays)
	case len(n.Requirements) > 4000:
		return Invalidf("requirements", "at most 4000 bytes")
	}
	return nil
}

// SupervisionActions are the steps of a supervision once issued.
var SupervisionActions = []string{"acknowledge", "feedback", "lift"}

// SupervisionStep is one of SupervisionActions with its note.
type SupervisionStep struct {
	Action string `json:"-"`
	Note   string `json:"note,omitempty"`
}

// Check checks st against s; errors name the field, and a step s is past
// is a *StateError.
func (st SupervisionStep) Check(s Supervision) error {
	if len(st.Note) > 4000 {
		return Invalidf("note", "at most 4000 bytes")
	}
	if s.LiftedAt != nil {
		return &StateError{Action: st.Action, State: "lifted", Reason: "the supervision was lifted"}
	}
	switch st.Action {
	case "acknowledge":
		if s.AckedAt != nil {
			return &StateError{Action: st.Action, State: "acknowledged", Reason: fmt.Sprintf("acknowledged by %s already", s.AckedBy)}
		}
	case "feedback":
		if s.AckedAt == nil {
			return &StateError{Action: st.Action, State: "not acknowledged", Reason: "acknowledge (签收) it first"}
		}
		if strings.TrimSpace(st.Note) == "" {
			return Invalidf("note", "required: what has been done about the hazard (反馈)")
		}
	case "lift":
		if s.Step != "lift" && strings.TrimSpace(st.Note) == "" {
			return Invalidf("note", "required to lift a supervision before its hazard is closed: say why")
		}
	default:
		return Invalidf("action", "%q: want one of %s", st.Action, strings.Join(SupervisionActions, ", "))
	}
	return nil
}

// Supervisions are the supervisions a division issued, with how far each
// division below has come with them.
type Supervisions struct {
	Division   string               `json:"division"` // "" for every division's
	Items      []Supervision        `json:"supervisions"`
	ByDivision []SupervisionSummary `json:"by_division"`
}

// SupervisionSummary counts the supervisions of the hazards in one
// division below the supervising one.
type SupervisionSummary struct {
	Division     string `json:"division_code"`
	Name         string `json:"name"`
	Total        int    `json:"total"`
	Acknowledged int    `json:"acknowledged"`
	FedBack      int    `json:"fed_back"`
	Rectified    int    `json:"rectified"` // the hazard closed
	Lifted       int    `json:"lifted"`
	Overdue      int    `json:"overdue"` // waiting for a step past its deadline
}

// RollUp adds up counts by division (a division's hazards each) into the
// divisions just below under (by county under "", see ChildToward), sorted
// by code; names gives their names.
func RollUp(under string, counts []SupervisionSummary, names map[string]string) []SupervisionSummary {
	index := map[string]int{}
	out := []SupervisionSummary{}
	for _, n := range counts {
		code := ChildToward(under, n.Division)
		i, ok := index[code]
		if !ok {
			i = len(out)
			index[code] = i
			out = append(out, SupervisionSummary{Division: code, Name: names[code]})
		}
		c := &out[i]
		c.Total += n.Total
		c.Acknowledged += n.Acknowledged
		c.FedBack += n.FedBack
		c.Rectified += n.Rectified
		c.Lifted += n.Lifted
		c.Overdue += n.Overdue
	}
	slices.SortFunc(out, func(a, b SupervisionSummary) int { return strings.Compare(a.Division, b.Division) })
	return out
}

// ChildToward is the division just below under on the way to code: code
// itself when it is a child of under; code's county under "" (or code,
// when it has none); "" when code is not below under.
func ChildToward(under, code string) string {
	if under == "" {
		if c := CountyOf(code); c != "" {
			return c
		}
		return code
	}
	if code == under || !Within(under, code) {
		return ""
	}
	for p := ParentDivision(code); p != under && p != ""; p = ParentDivision(p) {
		code = p
	}
	return code
}
