// Package crs names the coordinate reference systems riskmap accepts for
// input and converts the Chinese web-map systems to WGS84. It also reads
// longitudes and latitudes written as degrees-minutes-seconds (dms.go).
//
// # Systems
//
//   - WGS84 (EPSG:4326) is GPS's system and what riskmap stores.
//   - CGCS2000 (EPSG:4490) is China's official geodetic system, used by
//     天地图 and surveying. Its ellipsoid and frame differ from WGS84 by
//     well under a metre for practical purposes, so this package treats it
//     as identical to WGS84.
//   - GCJ-02 (国测局坐标, "火星坐标") is the obfuscated system that maps
//     licensed in mainland China must use: AMap/高德, Tencent/腾讯,
//     WeChat location sharing, Apple Maps in China. It is WGS84 shifted by
//     a smooth, deliberately irregular function of position; in Lishui the
//     shift is about 570–610 m (roughly +0.0044° longitude, −0.0034°
//     latitude). It has no EPSG code and PROJ/PostGIS cannot convert it.
//   - BD-09 is Baidu's further offset on top of GCJ-02, about 1.1–1.2 km
//     from WGS84 in Lishui. It too has no EPSG code. (Baidu's Mercator
//     metres, "bd09mc", are not accepted.)
//   - Any other EPSG code (for example EPSG:4549, CGCS2000 / 3-degree
//     Gauss-Kruger CM 120E) is passed on for PostGIS to transform.
//
// # Accuracy
//
// WGS84ToGCJ02 is the widely published forward formula (Krasovsky
// ellipsoid, a = 6378245.0, ee = 0.00669342162296594323). It is the de facto
// definition used by every open implementation and is reported
// (shared/data/lishui/README.md) to match the official, unpublished offsets
// to within a few metres. GCJ02ToBD09 is Baidu's published formula. The inverses have no closed form: GCJ02ToWGS84 and
// BD09ToGCJ02 iterate the forward formulas until a step is below 1e-9°
// (about 0.1 mm), so a round trip through them is exact to well below a
// millimetre (the one-step approximation often used elsewhere is off by
// 0.4–1.2 m in Lishui). The overall accuracy against the real official
// offsets is therefore that of the forward formulas, a few metres; treating
// CGCS2000 as WGS84 adds under a metre.
//
// The GCJ-02 shift applies only inside a rough rectangle around China
// (longitude 72.004–137.8347°E, latitude 0.8293–55.8271°N); outside it
// the conversions are the identity. That rectangle also contains Hong Kong,
// Macau, Taiwan and parts of neighbouring countries, which are therefore
// shifted like the mainland even though their maps may not be; riskmap
// only serves Lishui, where this does not matter.
package crs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// kind says which sort of System a value is.
type kind uint8

const (
	kindInvalid kind = iota // the zero System
	kindWGS84
	kindCGCS2000
	kindGCJ02
	kindBD09
	kindEPSG // any other EPSG code, in System.code
)

// System is a coordinate reference system riskmap accepts for input: either
// one of the named systems WGS84, CGCS2000, GCJ02 and BD09, or another EPSG
// code that PostGIS is asked to transform. Systems are comparable with ==;
// EPSG:4326 and EPSG:4490 are always represented by WGS84 and CGCS2000.
// The zero System is not a valid system: its String is "", SRID reports
// false, Geographic reports false and ToWGS84 panics.
type System struct {
	kind kind
	code int // EPSG code, only for kindEPSG
}

// The named systems. See the package documentation for what each is.
var (
	// WGS84 is EPSG:4326, the system riskmap stores.
	WGS84 = System{kind: kindWGS84}
	// CGCS2000 is EPSG:4490, treated as identical to WGS84.
	CGCS2000 = System{kind: kindCGCS2000}
	// GCJ02 is the GCJ-02 system of AMap/高德, Tencent and WeChat.
	GCJ02 = System{kind: kindGCJ02}
	// BD09 is Baidu's BD-09 longitude/latitude system.
	BD09 = System{kind: kindBD09}
)

// ErrUnknown is wrapped by the errors Parse returns for names it does not
// accept.
var ErrUnknown = errors.New("unknown coordinate system")

// maxEPSG is the largest EPSG code Parse accepts.
const maxEPSG = 999999

// names maps lower-case names to the named systems.
var names = map[string]System{
	"wgs84":    WGS84,
	"wgs-84":   WGS84,
	"wgs84ll":  WGS84, // Baidu's API name for WGS84 longitude/latitude
	"cgcs2000": CGCS2000,
	"gcj02":    GCJ02,
	"gcj-02":   GCJ02,
	"gcj02ll":  GCJ02, // Baidu's API name
	"amap":     GCJ02,
	"gaode":    GCJ02,
	"tencent":  GCJ02,
	"高德":       GCJ02,
	"腾讯":       GCJ02,
	"bd09":     BD09,
	"bd-09":    BD09,
	"bd09ll":   BD09, // Baidu's API name for BD-09 longitude/latitude
	"baidu":    BD09,
	"百度":       BD09,
}

// accepted is the list of accepted forms, for error messages.
const accepted = "want wgs84, cgcs2000, gcj02 (amap, gaode, tencent, 高德), bd09 (baidu, 百度) or an EPSG code such as EPSG:4549 or 4549"

// Parse reads a coordinate system name, case-insensitively and ignoring
// surrounding white space:
//
//   - "wgs84", "wgs-84", "wgs84ll", "EPSG:4326", "4326" → WGS84
//   - "cgcs2000", "EPSG:4490", "4490" → CGCS2000
//   - "gcj02", "gcj-02", "gcj02ll", "amap", "gaode", "tencent", "高德",
//     "腾讯" → GCJ02
//   - "bd09", "bd-09", "bd09ll", "baidu", "百度" → BD09 (not "bd09mc",
//     Baidu's Mercator metres)
//   - "EPSG:n" or "n" for any other integer 1 ≤ n ≤ 999999 → that EPSG
//     code (whether PostGIS knows it is checked later, by PostGIS)
//
// Errors wrap ErrUnknown and say what is accepted.
func Parse(s string) (System, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if sys, ok := names[t]; ok {
		return sys, nil
	}
	digits := t
	if len(t) >= 5 && t[:5] == "epsg:" {
		digits = strings.TrimSpace(t[5:])
	}
	if code, ok := parseCode(digits); ok {
		switch code {
		case 4326:
			return WGS84, nil
		case 4490:
			return CGCS2000, nil
		}
		return System{kind: kindEPSG, code: code}, nil
	}
	return System{}, fmt.Errorf("%w %q: %s", ErrUnknown, shorten(s), accepted)
}

// shorten cuts s to at most 40 runes for quoting in an error message.
func shorten(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// parseCode reads a positive EPSG code of at most six decimal digits.
func parseCode(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxEPSG {
		return 0, false
	}
	return n, true
}

// String returns the canonical name: "wgs84", "cgcs2000", "gcj02", "bd09",
// or "EPSG:n" for other codes. Parse accepts every string String returns.
// The zero System gives "".
func (s System) String() string {
	switch s.kind {
	case kindWGS84:
		return "wgs84"
	case kindCGCS2000:
		return "cgcs2000"
	case kindGCJ02:
		return "gcj02"
	case kindBD09:
		return "bd09"
	case kindEPSG:
		return "EPSG:" + strconv.Itoa(s.code)
	}
	return ""
}

// SRID returns the EPSG code PostGIS knows the system by: 4326 for WGS84,
// 4490 for CGCS2000, the code itself for other EPSG systems. It reports
// false for GCJ02 and BD09, which are not in PROJ and must be converted
// with ToWGS84 instead, and for the zero System.
func (s System) SRID() (int, bool) {
	switch s.kind {
	case kindWGS84:
		return 4326, true
	case kindCGCS2000:
		return 4490, true
	case kindEPSG:
		return s.code, true
	}
	return 0, false
}

// Geographic reports whether coordinates in s are longitude and latitude
// in degrees, so that range checks (±180°, ±90°) apply before transforming.
// It is true for WGS84, CGCS2000, GCJ02, BD09 and the geographic EPSG
// codes 4214 (Beijing 1954) and 4610 (Xian 1980); it is false for every
// other EPSG code, which is taken to be projected (metres, e.g. EPSG:4549).
func (s System) Geographic() bool {
	switch s.kind {
	case kindWGS84, kindCGCS2000, kindGCJ02, kindBD09:
		return true
	case kindEPSG:
		return s.code == 4214 || s.code == 4610
	}
	return false
}

// Named reports whether s is one of WGS84, CGCS2000, GCJ02 and BD09, the
// systems ToWGS84 converts. Other systems have an SRID for PostGIS.
func (s System) Named() bool {
	return s.kind >= kindWGS84 && s.kind <= kindBD09
}

// ToWGS84 converts a longitude/latitude point in s to WGS84. WGS84 and
// CGCS2000 are returned unchanged (CGCS2000 is within about a metre of
// WGS84); GCJ02 and BD09 go through GCJ02ToWGS84 and BD09ToWGS84.
//
// It panics for EPSG systems and the zero System: those must be
// transformed by PostGIS (ST_Transform with s.SRID()), and returning the
// point unchanged would silently place it hundreds of metres, or for
// projected systems thousands of kilometres, off. Check Named first.
func (s System) ToWGS84(p orb.Point) orb.Point {
	switch s.kind {
	case kindWGS84, kindCGCS2000:
		return p
	case kindGCJ02:
		return GCJ02ToWGS84(p)
	case kindBD09:
		return BD09ToWGS84(p)
	}
	panic("crs: ToWGS84 called for " + strconv.Quote(s.String()) + "; only wgs84, cgcs2000, gcj02 and bd09 convert in process")
}
