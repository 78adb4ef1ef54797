package geo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchQuery is a search of the risk objects by name, address or credit
// code.
type SearchQuery struct {
	Q          string
	Categories []Category // empty: every category
	Limit      int
}

// Search bounds.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	MaxSearchLength    = 100 // characters of a query
)

// CheckSearch checks a query's text: at least two letters or digits (one
// is no word, and matches everything), at most MaxSearchLength
// characters. Errors name the parameter q.
func CheckSearch(q string) error {
	if utf8.RuneCountInString(q) > MaxSearchLength {
		return Invalidf("q", "at most %d characters", MaxSearchLength)
	}
	n := 0
	for _, r := range q {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			n++
		}
	}
	if n < 2 {
		return Invalidf("q", "%q: give at least two characters of a name, an address or a credit code", strings.TrimSpace(q))
	}
	return nil
}

// SearchHit is one object a search found.
type SearchHit struct {
	ID           int64    `json:"id"`
	Category     Category `json:"category"`
	Name         string   `json:"name"`
	Grade        string   `json:"grade"`
	Division     string   `json:"division_code"`
	DivisionName string   `json:"division_name"`
	Lon          float64  `json:"lon"`
	Lat          float64  `json:"lat"`
	USCC         string   `json:"uscc,omitempty"`
	Address      string   `json:"address,omitempty"`
	// Match says how it matched: code (a credit code or id beginning
	// with the query), name (the name holds it), words (the name or
	// address holds all its character pairs) or fuzzy (most of them).
	Match string `json:"match"`
}
