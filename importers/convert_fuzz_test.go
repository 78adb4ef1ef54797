package importers

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzPlainNumber checks parseKind's fast path for plain numbers against
// the unit-aware pattern it short-cuts: whatever plainNumber accepts, the
// pattern accepts too, with the same value.
func FuzzPlainNumber(f *testing.F) {
	for _, s := range []string{"12", "-3.5", "+7", "1,200", "5.", ".5", "1e5", "Inf", "0x10", "1_0", "30人"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainNumber(s) {
			return
		}
		m := unitSuffix.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("plainNumber(%q) but the pattern refuses it", s)
		}
		want, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		got, gerr := parseKind(number, s)
		if (err == nil) != (gerr == nil) || (err == nil && got != want) {
			t.Fatalf("parseKind(%q) = %v, %v; the pattern gives %v, %v", s, got, gerr, want, err)
		}
	})
}
