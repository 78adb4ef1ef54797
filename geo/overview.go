package geo

import (
	"encoding/json"
	"time"
)

// Position windows a client may ask for: the newest fixes of the last
// PositionHours (default DefaultPositionHours), a track of the last
// TrackMinutes (default DefaultTrackMinutes).
const (
	DefaultPositionHours = 24
	MaxPositionHours     = 168
	DefaultTrackMinutes  = 60
	MaxTrackMinutes      = 1440
)

// ResourceStatusCount is how many rescue resources (not retired) have a
// status ("" when their source gives none), and how many of them have a
// position fix recorded in the window asked for.
type ResourceStatusCount struct {
	Status  string
	Count   int
	Tracked int
}

// ResourceFix is a rescue resource's newest position fix.
type ResourceFix struct {
	ResourceID int64
	Name       string
	TeamType   string
	Status     string
	// IncidentID is the resource's attributes' incident_id as it is (the
	// incident it is dispatched to), nil when it has none.
	IncidentID json.RawMessage
	Lon, Lat   float64
	RecordedAt time.Time
	ReceivedAt time.Time
	AccuracyM  *float64
}

// TrackFix is one fix of a resource's track.
type TrackFix struct {
	Lon, Lat   float64
	RecordedAt time.Time
}

// Track is where a rescue resource has been in a window, oldest fix
// first.
type Track struct {
	ResourceID int64
	Name       string
	Fixes      []TrackFix
}
