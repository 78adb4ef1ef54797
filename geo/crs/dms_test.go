package crs

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseDegrees(t *testing.T) {
	const (
		lon119 = 119 + 55.0/60 + 12.0/3600   // 119°55′12″
		lon125 = 119 + 55.0/60 + 12.5/3600   // 119°55′12.5″
		lat28  = 28 + 27.0/60                // 28°27′
		lat285 = 28 + 27.5/60                // 28°27.5′
		lat28s = 28 + 27.0/60 + 30.0/3600    // 28°27′30″
		small  = 0 + 0.0/60 + 59.999999/3600 // 0°0′59.999999″
	)
	tests := []struct {
		name string
		in   string
		want float64
		axis Axis
	}{
		// Decimal degrees.
		{"decimal", "119.92", 119.92, AxisUnknown},
		{"negative decimal", "-33.5", -33.5, AxisUnknown},
		{"plus decimal", "+28.4", 28.4, AxisUnknown},
		{"integer", "120", 120, AxisUnknown},
		{"zero", "0", 0, AxisUnknown},
		{"leading point", ".5", 0.5, AxisUnknown},
		{"trailing point", "28.", 28, AxisUnknown},
		{"decimal E", "119.92E", 119.92, AxisLon},
		{"decimal lower e", "119.92e", 119.92, AxisLon},
		{"decimal W", "119.92W", -119.92, AxisLon},
		{"decimal S space", "33.5 S", -33.5, AxisLat},
		{"decimal N prefix", "N28.45", 28.45, AxisLat},
		{"decimal degree sign", "119.92°", 119.92, AxisUnknown},
		{"decimal 度", "119.92度", 119.92, AxisUnknown},
		{"东经 decimal", "东经119.92", 119.92, AxisLon},
		{"surrounding spaces", "  28.45\t", 28.45, AxisUnknown},
		{"unicode minus", "−33.5", -33.5, AxisUnknown},
		{"limit 180", "180", 180, AxisUnknown},
		{"limit -180", "-180", -180, AxisUnknown},
		{"limit 90N", "90N", 90, AxisLat},
		{"limit 90S", "90°S", -90, AxisLat},
		{"unknown axis above 90", "120.5", 120.5, AxisUnknown},
		{"plus with hemisphere", "+28.45N", 28.45, AxisLat},

		// Degrees, minutes, seconds.
		{"primes E", "119°55′12″E", lon119, AxisLon},
		{"ascii quotes E", `119°55'12"E`, lon119, AxisLon},
		{"ascii quotes fraction", `119°55'12.5"`, lon125, AxisUnknown},
		{"curly quotes", "119°55’12”", lon119, AxisUnknown},
		{"left curly quotes", "119°55‘12“", lon119, AxisUnknown},
		{"two apostrophes", "119°55'12''", lon119, AxisUnknown},
		{"two primes", "119°55′12′′", lon119, AxisUnknown},
		{"acute accent", "119°55´12\"", lon119, AxisUnknown},
		{"ordinal degree", "119º55'12\"", lon119, AxisUnknown},
		{"ring degree", "119˚55'12\"", lon119, AxisUnknown},
		{"no seconds mark", "119°55'12", lon119, AxisUnknown},
		{"no marks", "119 55 12", lon119, AxisUnknown},
		{"no marks E", "119 55 12 E", lon119, AxisLon},
		{"colons", "119:55:12", lon119, AxisUnknown},
		{"colons W", "119:55:12W", -lon119, AxisLon},
		{"colons fraction", "28:27:30.0", lat28s, AxisUnknown},
		{"spaces around marks", "119 ° 55 ′ 12 ″ E", lon119, AxisLon},
		{"prefix E", "E119°55′12″", lon119, AxisLon},
		{"prefix W space", "W 119°55′12″", -lon119, AxisLon},
		{"chinese units", "119度55分12秒", lon119, AxisUnknown},
		{"chinese units 东经", "东经119度55分12秒", lon119, AxisLon},
		{"北纬", "北纬28°27′", lat28, AxisLat},
		{"北纬 space", "北纬 28°27′30″", lat28s, AxisLat},
		{"南纬", "南纬28°27′", -lat28, AxisLat},
		{"西经", "西经119°55′12″", -lon119, AxisLon},
		{"trailing 北纬", "28°27′北纬", lat28, AxisLat},
		{"bare 北", "北28.45", 28.45, AxisLat},
		{"traditional 東經", "東經119°55′12″", lon119, AxisLon},
		{"traditional 北緯", "北緯28°27′", lat28, AxisLat},
		{"minutes fraction N", "28°27.5′N", lat285, AxisLat},
		{"minutes no seconds", "28°27′", lat28, AxisUnknown},
		{"degrees then seconds", "28°30″", 28 + 30.0/3600, AxisUnknown},
		{"negative dms", "-119°55′12″", -lon119, AxisUnknown},
		{"seconds just below 60", "0°0′59.999999″", small, AxisUnknown},
		{"lower n", "28°27′n", lat28, AxisLat},

		// Full-width forms from Chinese spreadsheets.
		{"full-width digits", "１１９．９２", 119.92, AxisUnknown},
		{"full-width dms", "１１９°５５′１２″Ｅ", lon119, AxisLon},
		{"full-width apostrophes", "１１９°５５＇１２＂", lon119, AxisUnknown},
		{"full-width minus", "－３３．５", -33.5, AxisUnknown},
		{"full-width colon", "１１９：５５：１２", lon119, AxisUnknown},
		{"ideographic space", "北纬\u300028.45", 28.45, AxisLat},
		{"mixed widths", "1１9.9２", 119.92, AxisUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, axis, err := ParseDegrees(tt.in)
			if err != nil {
				t.Fatalf("ParseDegrees(%q): %v", tt.in, err)
			}
			if math.Abs(v-tt.want) > 1e-12 {
				t.Errorf("ParseDegrees(%q) = %.12f, want %.12f", tt.in, v, tt.want)
			}
			if axis != tt.axis {
				t.Errorf("ParseDegrees(%q) axis = %v, want %v", tt.in, axis, tt.axis)
			}
		})
	}
}

func TestParseDegreesErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string // a substring of the error
	}{
		{"empty", "", "empty"},
		{"blank", "   ", "empty"},
		{"NaN", "NaN", "unexpected"},
		{"nan lower", "nan", "unexpected"},
		{"Inf", "Inf", "unexpected"},
		{"+Inf", "+Inf", "unexpected"},
		{"infinity", "infinity", "unexpected"},
		{"exponent", "1e5", "hemisphere"},
		{"exponent upper", "12E+1", "hemisphere"},
		{"exponent with fraction", "1.2E+2", "only the last number"},
		{"hex", "0x1p4", "unexpected"},
		{"minutes 60", "119°60′", "minutes must be below 60"},
		{"minutes 75", "28 75 00", "minutes must be below 60"},
		{"seconds 60", "119°55′60″", "seconds must be below 60"},
		{"seconds 60.0", "119°55′60.0″", "seconds must be below 60"},
		{"negative minutes", "119°-5′", "misplaced sign"},
		{"negative seconds", "119°5′-5″", "misplaced sign"},
		{"minus and S", "-33.5S", "minus sign and a hemisphere"},
		{"minus and W", "-119°55′W", "minus sign and a hemisphere"},
		{"minus and 南纬", "南纬-28.5", "minus sign and a hemisphere"},
		{"minus and N", "-28N", "minus sign and a hemisphere"},
		{"two hemispheres", "N28.5E", "two hemispheres"},
		{"two same hemispheres", "N28.5N", "two hemispheres"},
		{"hemisphere only", "N", "no number"},
		{"sign only", "-", "no number"},
		{"double sign", "--5", "misplaced sign"},
		{"garbage", "abc", "unexpected"},
		{"word", "north 28", "unexpected"},
		{"two points", "119.9.2", "not a number"},
		{"only point", ".", "not a number"},
		{"decimal comma", "119,92", "comma"},
		{"full-width comma", "119，92", "comma"},
		{"pair", "119.92, 28.45", "comma"},
		{"fraction then minutes", "119.5°30′", "only the last number"},
		{"fraction then seconds", "119°30.5′12″", "only the last number"},
		{"fraction with spaces", "119.5 30", "only the last number"},
		{"four numbers", "119 55 12 3", "too many numbers"},
		{"seconds then more", "119°55′12″3", "too many numbers"},
		{"out of order", "119′55°", "degrees missing"},
		{"minutes twice", "119°55′12′", "out of order"},
		{"degrees twice", "119°55°", "out of order"},
		{"minutes first", "55′12″", "degrees missing"},
		{"mark only", "°", "unit mark without a number"},
		{"double mark", "119°°", "unit mark without a number"},
		{"latitude above 90", "90.5N", "latitude beyond 90°"},
		{"latitude above 90 dms", "北纬90°0′1″", "latitude beyond 90°"},
		{"above 180", "180.0001", "beyond 180°"},
		{"above 180 dms", "180°0′1″E", "beyond 180°"},
		{"below -180", "-181", "beyond 180°"},
		{"huge", strings.Repeat("9", 90), "beyond 180°"},
		{"too long", strings.Repeat("1", 101), "too long"},
		{"hemisphere inside", "119E55", "misplaced hemisphere"},
		{"colon after mark", "119°:55", "misplaced colon"},
		{"leading colon", ":119", "misplaced colon"},
		{"trailing colon", "119:", "misplaced colon"},
		{"double colon", "119::55", "misplaced colon"},
		{"东纬", "东纬119", "unexpected"},
		{"北经", "北经28", "unexpected"},
		{"bare 纬", "纬28", "unexpected"},
		{"invalid utf-8", "119\xff", "UTF-8"},
		{"replacement char", "119\uFFFD", "unexpected"},
		{"ideographic full stop", "119。92", "unexpected"},
		{"trailing sign", "119-", "misplaced sign"},
		{"too many parts", "1 : 2 : 3 : 4 : 5 : 6 : 7", "too many parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, axis, err := ParseDegrees(tt.in)
			if err == nil {
				t.Fatalf("ParseDegrees(%q) = %v, %v, want an error", tt.in, v, axis)
			}
			if !errors.Is(err, ErrBadDegrees) {
				t.Errorf("error %v does not wrap ErrBadDegrees", err)
			}
			var de *DegreesError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DegreesError", err)
			}
			if !strings.Contains(de.Reason, tt.reason) {
				t.Errorf("ParseDegrees(%q) reason %q, want it to contain %q", tt.in, de.Reason, tt.reason)
			}
			if v != 0 || axis != AxisUnknown {
				t.Errorf("ParseDegrees(%q) returned %v, %v with an error", tt.in, v, axis)
			}
		})
	}
}

func TestAxisString(t *testing.T) {
	for _, tt := range []struct {
		a    Axis
		want string
	}{{AxisUnknown, "unknown"}, {AxisLat, "latitude"}, {AxisLon, "longitude"}} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func FuzzParseDegrees(f *testing.F) {
	for _, s := range []string{
		"119.92", "-33.5", "119.92E", "119°55′12″E", `119°55'12"E`, `119°55'12.5"`,
		"119 55 12 E", "E119°55′12″", "119度55分12秒", "北纬28°27′", "28°27.5′N",
		"１１９．９２", "119:55:12", "NaN", "Inf", "1e308", "-181", "90.5N", "119°60′",
		"", "°", "北", "东经", "''", "0°0′59.9999999999999999″",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, axis, err := ParseDegrees(s)
		if err != nil {
			if !errors.Is(err, ErrBadDegrees) {
				t.Fatalf("ParseDegrees(%q) error %v does not wrap ErrBadDegrees", s, err)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < -180 || v > 180 {
			t.Fatalf("ParseDegrees(%q) = %v", s, v)
		}
		if axis == AxisLat && (v < -90 || v > 90) {
			t.Fatalf("ParseDegrees(%q) = latitude %v", s, v)
		}
		if axis > AxisLon {
			t.Fatalf("ParseDegrees(%q) axis %d", s, axis)
		}
	})
}
