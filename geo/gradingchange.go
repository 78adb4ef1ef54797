package geo

import (
	"strings"
	"time"
	"unicode/utf8"
)

// GradingKind is what a grading version is of: a scheme or an override
// rule (package grading has both).
type GradingKind string

// The kinds of grading definitions.
const (
	GradingScheme GradingKind = "scheme"
	GradingRule   GradingKind = "rule"
)

// GradingChange is a change to the grading configuration made by a
// person: either a set of definitions to load (carried beside it, as
// grading.Set) or, with Key, one scheme or rule switched on or off. It
// always says why.
type GradingChange struct {
	Kind    GradingKind `json:"kind,omitempty"` // with Key: scheme or rule
	Key     string      `json:"key,omitempty"`  // the scheme's code or the rule's key to switch
	Enabled bool        `json:"enabled"`
	Reason  string      `json:"reason"`
	// DryRun: make the change, grade again, report, and keep nothing.
	DryRun bool `json:"dry_run"`
}

// maxGradingReason bounds a change's reason, in characters.
const maxGradingReason = 500

// Check checks the change's own fields; switch says whether it switches
// one scheme or rule (else it loads a set). The error names the field.
func (c *GradingChange) Check(switching bool) error {
	c.Reason = strings.TrimSpace(c.Reason)
	if c.Reason == "" {
		return Invalidf("reason", "empty: say why the grading changes (it is kept with the version)")
	}
	if utf8.RuneCountInString(c.Reason) > maxGradingReason {
		return Invalidf("reason", "longer than %d characters", maxGradingReason)
	}
	if !switching {
		return nil
	}
	if c.Kind != GradingScheme && c.Kind != GradingRule {
		return Invalidf("kind", "%q: want scheme or rule", c.Kind)
	}
	if c.Key == "" {
		return Invalidf("key", "empty: name the scheme or rule to switch")
	}
	return nil
}

// GradingVersion is one stored version of a scheme or rule: who stored
// it, when and why, and whether it is switched on.
type GradingVersion struct {
	Kind    GradingKind `json:"kind"`
	Key     string      `json:"key"`
	Version int         `json:"version"`
	Enabled bool        `json:"enabled"`
	By      string      `json:"loaded_by"`
	At      time.Time   `json:"loaded_at"`
	Reason  string      `json:"reason"`
}

// RegradeStats says what a regrade did.
type RegradeStats struct {
	Objects int            `json:"objects"` // looked at
	Changed int            `json:"changed"` // given a new assessment
	Moves   map[string]int `json:"moves"`   // grade changes, "red→orange": n
	// Problems counts objects left as they were because their inputs no
	// longer fit a scheme in force; Examples names a few.
	Problems int      `json:"problems,omitempty"`
	Examples []string `json:"examples,omitempty"`
}

// GradingChanged says what a grading change stored and what that did to the
// grades.
type GradingChanged struct {
	Stored  []string     `json:"stored"`  // "code v2", nothing when everything was already so
	Regrade RegradeStats `json:"regrade"` // every active object graded again
	DryRun  bool         `json:"dry_run"` // nothing was kept
}
