package grading

import (
	"encoding/json"
	"fmt"

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

// ParseSet reads and validates a set (the shape of sql/grading's
// defaults.json); a scheme's code and version, and a rule's key, appear
// once.
func ParseSet(data []byte) (Set, error) {
	var raw struct {
		Comment string            `json:"_comment"`
		Schemes []json.RawMessage `json:"schemes"`
		Rules   []json.RawMessage `json:"rules"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return Set{}, err
	}
	var set Set
	seen := map[string]bool{}
	for i, r := range raw.Schemes {
		s, err := ParseScheme(r)
		if err != nil {
			return Set{}, fmt.Errorf("schemes[%d]: %w", i, err)
		}
		k := fmt.Sprintf("%s@%d", s.Code, s.Version)
		if seen[k] {
			return Set{}, fmt.Errorf("schemes[%d]: %w: scheme %q version %d appears twice", i, ErrDefinition, s.Code, s.Version)
		}
		seen[k] = true
		set.Schemes = append(set.Schemes, s)
	}
	for i, r := range raw.Rules {
		rule, err := ParseRule(r)
		if err != nil {
			return Set{}, fmt.Errorf("rules[%d]: %w", i, err)
		}
		if seen["rule:"+rule.Key] {
			return Set{}, fmt.Errorf("rules[%d]: %w: rule %q appears twice", i, ErrDefinition, rule.Key)
		}
		seen["rule:"+rule.Key] = true
		set.Rules = append(set.Rules, rule)
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
