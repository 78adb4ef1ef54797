package grading

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"riskmap/geo"
)

// Set is a deployment's grading configuration: its schemes and rules.
type Set struct {
	Schemes []Scheme `json:"schemes"`
	Rules   []Rule   `json:"rules"`

	// Set by Prepare: the enabled schemes of each category and the
	// enabled rules, in priority order; the encoded results of stated
	// grades, which are few and repeat.
	byCategory map[geo.Category][]Scheme
	rules      []Rule
	stated     map[string][]byte
}

// Prepare orders the schemes and rules once, for a set that grades many
// objects; change neither afterwards. Not safe for concurrent use.
func (s *Set) Prepare() {
	s.byCategory = map[geo.Category][]Scheme{}
	for _, c := range geo.AllCategories {
		s.byCategory[c] = ordered(s.Schemes, c)
	}
	s.rules = sortedRules(s.Rules)
	s.stated = map[string][]byte{}
}

// SetError is every fault of a set's definitions, each with where it
// is: "schemes[2]" or "rules[0]" ("" for the document as a whole). It
// wraps ErrDefinition.
type SetError struct {
	Problems []SetProblem
}

// SetProblem is one fault of a set: the item at fault and what is wrong
// with it.
type SetProblem struct {
	Item string `json:"item"`
	FieldError
}

// Error implements error: the faults, one per line.
func (e *SetError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.FieldError.Error()
		if p.Item != "" {
			lines[i] = p.Item + ": " + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes a SetError match ErrDefinition.
func (e *SetError) Unwrap() error { return ErrDefinition }

// ParseSet reads and validates a set (the shape of sql/grading's
// defaults.json); a scheme's code and version, and a rule's key, appear
// once. Its error is a *SetError naming every item at fault (each with
// its first fault), so that a whole file can be mended at once.
func ParseSet(data []byte) (Set, error) {
	var raw struct {
		Comment string            `json:"_comment"`
		Schemes []json.RawMessage `json:"schemes"`
		Rules   []json.RawMessage `json:"rules"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return Set{}, &SetError{Problems: []SetProblem{{FieldError: FieldError{Kind: "set", Reason: err.Error()}}}}
	}
	if len(raw.Schemes) == 0 && len(raw.Rules) == 0 {
		return Set{}, &SetError{Problems: []SetProblem{{FieldError: FieldError{Kind: "set", Field: "schemes", Reason: "no schemes and no rules"}}}}
	}
	var set Set
	var bad []SetProblem
	fault := func(item string, err error) {
		var fe *FieldError
		if !errors.As(err, &fe) {
			fe = &FieldError{Reason: err.Error()}
		}
		bad = append(bad, SetProblem{Item: item, FieldError: *fe})
	}
	seen := map[string]bool{}
	for i, r := range raw.Schemes {
		item := fmt.Sprintf("schemes[%d]", i)
		s, err := ParseScheme(r)
		if err != nil {
			fault(item, err)
			continue
		}
		k := fmt.Sprintf("%s@%d", s.Code, s.Version)
		if seen[k] {
			fault(item, &FieldError{Kind: "scheme", Code: s.Code, Field: "code", Reason: fmt.Sprintf("version %d appears twice", s.Version)})
			continue
		}
		seen[k] = true
		set.Schemes = append(set.Schemes, s)
	}
	for i, r := range raw.Rules {
		item := fmt.Sprintf("rules[%d]", i)
		rule, err := ParseRule(r)
		if err != nil {
			fault(item, err)
			continue
		}
		if seen["rule:"+rule.Key] {
			fault(item, &FieldError{Kind: "rule", Code: rule.Key, Field: "key", Reason: "appears twice"})
			continue
		}
		seen["rule:"+rule.Key] = true
		set.Rules = append(set.Rules, rule)
	}
	if bad != nil {
		return Set{}, &SetError{Problems: bad}
	}
	return set, nil
}

// Evaluate grades in under the set.
func (s *Set) Evaluate(in Input) (Result, error) {
	if s.byCategory != nil {
		return evaluate(s.byCategory[in.Category], s.rules, in)
	}
	return Evaluate(s.Schemes, s.Rules, in)
}
