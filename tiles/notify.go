package tiles

import (
	"encoding/json"

	"riskmap/geo"
)

// Notification is one change notification of the database, decoded (the
// JSON of migration 0007): either a layers notification (Layers set; BBox
// the area, nil for anywhere) or an object event (Kind "grade_changed"
// with Objects, or "hazard_overdue" with Hazards, More counting the
// entries left out; "dispatch" (dispatch_notify.sql) and "position"
// (position_insert.sql) are read from Raw).
type Notification struct {
	Layers  []geo.Layer       `json:"layers"`
	BBox    *[4]float64       `json:"bbox"`
	Kind    string            `json:"kind"`
	Objects []json.RawMessage `json:"objects"`
	Hazards []json.RawMessage `json:"hazards"`
	More    int               `json:"more"`
	Raw     string            `json:"-"` // the payload as it came
}

// ParseNotification decodes a payload; false for one that is not JSON
// (an older riskmap's list of layer names, or someone else's).
func ParseNotification(payload string) (Notification, bool) {
	var n Notification
	if json.Unmarshal([]byte(payload), &n) != nil {
		return Notification{}, false
	}
	n.Raw = payload
	return n, true
}

// Notifications are the change's payloads decoded: once for all the
// subscribers when the cache told them, else now.
func (ch Change) Notifications() []Notification {
	if ch.notes != nil || ch.Payloads == nil {
		return ch.notes
	}
	return parseAll(ch.Payloads)
}

func parseAll(payloads []string) []Notification {
	out := make([]Notification, 0, len(payloads))
	for _, p := range payloads {
		if n, ok := ParseNotification(p); ok {
			out = append(out, n)
		}
	}
	return out
}
