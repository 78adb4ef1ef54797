package geo

import (
	"encoding/json"
	"time"
)

// Assessment is one immutable grading of a risk object: what graded it,
// from what, and the grade before and after.
type Assessment struct {
	ID       int64           `json:"id"`
	ObjectID int64           `json:"object_id"`
	Scheme   string          `json:"scheme,omitempty"` // "" when no scheme graded it
	Version  int             `json:"version,omitempty"`
	Result   json.RawMessage `json:"result"` // geo/grading's Result
	From     Grade           `json:"from"`
	Grade    Grade           `json:"grade"`
	Reason   string          `json:"reason"` // import, api, recompute, hidden_hazard
	By       string          `json:"assessed_by"`
	At       time.Time       `json:"assessed_at"`
}
