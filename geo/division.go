package geo

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// The levels of the administrative chain, from the top. A local unit (a
// development zone, say) takes the level it acts at: a county-level unit
// under its city is "county".
const (
	LevelProvince = "province"
	LevelCity     = "city"
	LevelCounty   = "county"
	LevelTownship = "township"
	LevelVillage  = "village"
)

// DivisionLevels lists the levels from the top down.
var DivisionLevels = []string{LevelProvince, LevelCity, LevelCounty, LevelTownship, LevelVillage}

// CheckDivisionCode checks a division's code: six digits (GB/T 2260:
// province 330000, city 331100, county 331102, or a local unit's code
// under its city, 331171), nine (GB/T 10114 townships, 331102001) or
// twelve (villages). The message names the code.
func CheckDivisionCode(code string) error {
	if n := len(code); n != 6 && n != 9 && n != 12 {
		return fmt.Errorf("division code %q: want 6 digits (GB/T 2260), 9 (GB/T 10114 townships) or 12", code)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Errorf("division code %q: digits only", code)
		}
	}
	if code[:2] == "00" {
		return fmt.Errorf("division code %q: no province has code 00", code)
	}
	if len(code) == 6 && code[2:4] == "00" && code[4:] != "00" {
		return fmt.Errorf("division code %q: a county's code has its city's digits (xx00yy is no code)", code)
	}
	return nil
}

// DivisionLevel is the level a valid code stands for: xx0000 a province,
// xxyy00 a city, other six-digit codes a county (or a county-level local
// unit), nine digits a township, twelve a village.
func DivisionLevel(code string) string {
	switch {
	case len(code) == 9:
		return LevelTownship
	case len(code) == 12:
		return LevelVillage
	case strings.HasSuffix(code, "0000"):
		return LevelProvince
	case strings.HasSuffix(code, "00"):
		return LevelCity
	}
	return LevelCounty
}

// DivisionPrefix is what every code inside the division begins with:
// 33 for 330000, 3311 for 331100, the whole code below the city. Codes
// nest by prefix in GB/T 2260 and GB/T 10114, so "in this division or
// below" is a prefix test.
func DivisionPrefix(code string) string {
	if len(code) != 6 {
		return code
	}
	switch DivisionLevel(code) {
	case LevelProvince:
		return code[:2]
	case LevelCity:
		return code[:4]
	}
	return code
}

// ParentDivision is the code of the division a code's prefix puts it in:
// 331102001 → 331102 → 331100 → 330000 → "" (the top).
func ParentDivision(code string) string {
	switch DivisionLevel(code) {
	case LevelVillage:
		return code[:9]
	case LevelTownship:
		return code[:6]
	case LevelCounty:
		return code[:4] + "00"
	case LevelCity:
		return code[:2] + "0000"
	}
	return ""
}

// Within reports whether the division with code target lies in scope or
// below it. The empty scope is the whole deployment and holds everything,
// even what lies in no division; an empty target (outside every division)
// lies in no other scope.
func Within(scope, target string) bool {
	if scope == "" {
		return true
	}
	return target != "" && strings.HasPrefix(target, DivisionPrefix(scope))
}

// CommonDivision is the deepest division that holds every code given: the
// county for two townships of one county, the city for two of its
// counties. It returns "" when they share no province, or none is given.
func CommonDivision(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	common := codes[0]
	for _, c := range codes[1:] {
		for common != "" && !Within(common, c) {
			common = ParentDivision(common)
		}
	}
	return common
}

// ScopeError is a write refused because its target lies outside the
// division of the one who asked. Its message names both divisions and is
// safe to show to the client.
type ScopeError struct {
	Target, TargetName string // the target's division ("" for none)
	Actor, ActorName   string // the actor's division
	What               string // what was refused: an object, a hazard …
}

// ErrForbidden means the one who asked may not do this.
var ErrForbidden = fmt.Errorf("forbidden")

// Error implements error.
func (e *ScopeError) Error() string {
	target := "no division"
	if e.Target != "" {
		target = divisionText(e.TargetName, e.Target)
	}
	what := e.What
	if what == "" {
		what = "the target"
	}
	return fmt.Sprintf("%s lies in %s, outside your division %s", what, target, divisionText(e.ActorName, e.Actor))
}

// Is makes a ScopeError match ErrForbidden.
func (e *ScopeError) Is(target error) bool { return target == ErrForbidden }

func divisionText(name, code string) string {
	if name == "" || name == code {
		return code
	}
	return name + " (" + code + ")"
}

// CountyOf is the county-level division a code lies in: the code itself
// for a county (or county-level local unit), its first six digits for a
// township or village, "" for a city or province.
func CountyOf(code string) string {
	switch DivisionLevel(code) {
	case LevelCounty:
		return code
	case LevelTownship, LevelVillage:
		return code[:6]
	}
	return ""
}

// DivisionView is what a map of one division shows: its name and level,
// its extent, and the level of its children, the regional units of its
// four-colour map ("" when none is loaded).
type DivisionView struct {
	Code, Name, Level string
	ChildLevel        string
	Bound             orb.Bound
}
