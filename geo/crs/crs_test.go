package crs

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParse(t *testing.T) {
	epsg4549 := System{kind: kindEPSG, code: 4549}
	tests := []struct {
		name string
		in   string
		want System
	}{
		{"wgs84 lower", "wgs84", WGS84},
		{"wgs84 upper", "WGS84", WGS84},
		{"wgs-84", "WGS-84", WGS84},
		{"epsg 4326", "EPSG:4326", WGS84},
		{"epsg 4326 lower", "epsg:4326", WGS84},
		{"bare 4326", "4326", WGS84},
		{"spaces", "  wgs84\t", WGS84},
		{"cgcs2000", "cgcs2000", CGCS2000},
		{"CGCS2000", "CGCS2000", CGCS2000},
		{"epsg 4490", "EPSG:4490", CGCS2000},
		{"bare 4490", "4490", CGCS2000},
		{"gcj02", "gcj02", GCJ02},
		{"gcj-02", "GCJ-02", GCJ02},
		{"amap", "amap", GCJ02},
		{"AMap", "AMap", GCJ02},
		{"gaode", "gaode", GCJ02},
		{"tencent", "tencent", GCJ02},
		{"高德", "高德", GCJ02},
		{"腾讯", "腾讯", GCJ02},
		{"bd09", "bd09", BD09},
		{"bd-09", "BD-09", BD09},
		{"bd09ll", "bd09ll", BD09},
		{"baidu", "Baidu", BD09},
		{"百度", "百度", BD09},
		{"epsg 4549", "EPSG:4549", epsg4549},
		{"epsg 4549 lower", "epsg:4549", epsg4549},
		{"epsg space", "EPSG: 4549", epsg4549},
		{"bare 4549", "4549", epsg4549},
		{"leading zero", "04549", epsg4549},
		{"code 1", "1", System{kind: kindEPSG, code: 1}},
		{"code 999999", "EPSG:999999", System{kind: kindEPSG, code: 999999}},
		{"beijing 1954", "4214", System{kind: kindEPSG, code: 4214}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"blank", "   "},
		{"zero", "0"},
		{"epsg zero", "EPSG:0"},
		{"negative", "-4326"},
		{"plus", "+4326"},
		{"too big", "1000000"},
		{"epsg too big", "EPSG:1000000"},
		{"epsg empty", "EPSG:"},
		{"fraction", "4326.0"},
		{"baidu mercator", "bd09mc"},
		{"mercator", "mercator"},
		{"garbage", "wgs84x"},
		{"double prefix", "EPSG:EPSG:4326"},
		{"urn", "urn:ogc:def:crs:EPSG::4326"},
		{"long", strings.Repeat("很长", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrUnknown) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrUnknown", tt.in, err)
			}
			if !strings.Contains(err.Error(), "EPSG:4549") || !strings.Contains(err.Error(), "gcj02") {
				t.Errorf("error %q does not say what is accepted", err)
			}
			if got != (System{}) {
				t.Errorf("Parse(%q) returned %v with an error", tt.in, got)
			}
		})
	}
}

func TestSystemMethods(t *testing.T) {
	tests := []struct {
		name       string
		sys        System
		str        string
		srid       int
		hasSRID    bool
		geographic bool
		named      bool
	}{
		{"wgs84", WGS84, "wgs84", 4326, true, true, true},
		{"cgcs2000", CGCS2000, "cgcs2000", 4490, true, true, true},
		{"gcj02", GCJ02, "gcj02", 0, false, true, true},
		{"bd09", BD09, "bd09", 0, false, true, true},
		{"epsg 4549", System{kind: kindEPSG, code: 4549}, "EPSG:4549", 4549, true, false, false},
		{"epsg 3857", System{kind: kindEPSG, code: 3857}, "EPSG:3857", 3857, true, false, false},
		{"epsg 4214", System{kind: kindEPSG, code: 4214}, "EPSG:4214", 4214, true, true, false},
		{"epsg 4610", System{kind: kindEPSG, code: 4610}, "EPSG:4610", 4610, true, true, false},
		{"zero", System{}, "", 0, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sys.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			srid, ok := tt.sys.SRID()
			if srid != tt.srid || ok != tt.hasSRID {
				t.Errorf("SRID() = %d, %v, want %d, %v", srid, ok, tt.srid, tt.hasSRID)
			}
			if got := tt.sys.Geographic(); got != tt.geographic {
				t.Errorf("Geographic() = %v, want %v", got, tt.geographic)
			}
			if got := tt.sys.Named(); got != tt.named {
				t.Errorf("Named() = %v, want %v", got, tt.named)
			}
			if tt.str != "" {
				back, err := Parse(tt.str)
				if err != nil || back != tt.sys {
					t.Errorf("Parse(String()) = %v, %v, want %v", back, err, tt.sys)
				}
			}
		})
	}
}

func TestToWGS84(t *testing.T) {
	p := orb.Point{119.922, 28.452}
	tests := []struct {
		name string
		sys  System
		in   orb.Point
	}{
		{"wgs84 identity", WGS84, p},
		{"cgcs2000 identity", CGCS2000, p},
		{"gcj02", GCJ02, WGS84ToGCJ02(p)},
		{"bd09", BD09, WGS84ToBD09(p)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.sys.ToWGS84(tt.in)
			if d := haversine(got, p); d > 0.001 {
				t.Errorf("ToWGS84(%v) = %v, %.4f m from %v", tt.in, got, d, p)
			}
		})
	}
}

func TestToWGS84Panics(t *testing.T) {
	for _, sys := range []System{{kind: kindEPSG, code: 4549}, {kind: kindEPSG, code: 4214}, {}} {
		t.Run(sys.String(), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("ToWGS84 did not panic for %q", sys)
				}
			}()
			sys.ToWGS84(orb.Point{500000, 3000000})
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"wgs84", "EPSG:4326", "4549", "epsg:4549", "高德", "百度", "bd09mc", "", "EPSG:", "0", "999999", "1000000", "+1", " 4490 ", "EPSG:-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sys, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrUnknown) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrUnknown", s, err)
			}
			if sys != (System{}) {
				t.Fatalf("Parse(%q) returned %v with an error", s, sys)
			}
			return
		}
		str := sys.String()
		if str == "" {
			t.Fatalf("Parse(%q) returned the zero System", s)
		}
		back, err := Parse(str)
		if err != nil || back != sys {
			t.Fatalf("Parse(%q) = %v; Parse(%q) = %v, %v", s, sys, str, back, err)
		}
		srid, ok := sys.SRID()
		if ok != (sys != GCJ02 && sys != BD09) || ok && (srid < 1 || srid > maxEPSG) {
			t.Fatalf("%v.SRID() = %d, %v", sys, srid, ok)
		}
	})
}
