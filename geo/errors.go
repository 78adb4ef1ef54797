package geo

import (
	"errors"
	"fmt"
)

// Sentinel errors. Adapters wrap their failures so that callers can test
// them with errors.Is; the web layer maps them to HTTP statuses.
var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input is malformed or out of range. Its message
	// is written for the person who sent the input.
	ErrInvalid = errors.New("invalid input")
	// ErrUnavailable means a dependency (the database) cannot answer now.
	ErrUnavailable = errors.New("unavailable")
	// ErrTimeout means the work took longer than it is allowed to.
	ErrTimeout = errors.New("timed out")
)

// ParamError is an invalid input that names the parameter, field or column
// at fault. Its message is safe to show to the client.
type ParamError struct {
	Param  string // the parameter, field or column name
	Reason string // what is wrong with it, for a person
}

// Error implements error.
func (e *ParamError) Error() string { return fmt.Sprintf("%s: %s", e.Param, e.Reason) }

// Is makes a ParamError match ErrInvalid.
func (e *ParamError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns a *ParamError for param with a formatted reason.
func Invalidf(param, format string, args ...any) error {
	return &ParamError{Param: param, Reason: fmt.Sprintf(format, args...)}
}

// ErrConflict means the request does not fit the current state of the
// thing it acts on (a hidden hazard's step out of order, say).
var ErrConflict = errors.New("conflict")

// StateError is a step that the current state does not allow. Its message
// is safe to show to the client.
type StateError struct {
	Action, State string
	Reason        string // what the state needs first, for a person
}

// Error implements error.
func (e *StateError) Error() string {
	return fmt.Sprintf("%s is not allowed in state %s: %s", e.Action, e.State, e.Reason)
}

// Is makes a StateError match ErrConflict.
func (e *StateError) Is(target error) bool { return target == ErrConflict }

// VersionError is a write that named a version (If-Match) other than the
// current one, or none where one is needed. Its message is safe to show
// to the client; Current, when set, is the resource as it now is.
type VersionError struct {
	Resource       string // "zone 12"
	Given          int    // the version the client had; 0: none given
	CurrentVersion int
	Current        any
}

// Error implements error.
func (e *VersionError) Error() string {
	if e.Given == 0 {
		return fmt.Sprintf("%s: send If-Match with the version you edited (the current version is %d)", e.Resource, e.CurrentVersion)
	}
	return fmt.Sprintf("%s was changed by someone else: you edited version %d, the current version is %d", e.Resource, e.Given, e.CurrentVersion)
}

// Is makes a VersionError match ErrConflict.
func (e *VersionError) Is(target error) bool { return target == ErrConflict }
