package geo_test

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"

	"riskmap/geo"
)

func TestGradeTextRoundTrip(t *testing.T) {
	for _, g := range geo.AllGrades {
		b, err := g.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText: %v", g, err)
		}
		var back geo.Grade
		if err := back.UnmarshalText(b); err != nil || back != g {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, g)
		}
	}
	if _, err := geo.Grade(9).MarshalText(); err == nil {
		t.Error("Grade(9).MarshalText succeeded")
	}
}

func TestGradeOrder(t *testing.T) {
	for i := 1; i < len(geo.AllGrades); i++ {
		if !(geo.AllGrades[i-1] < geo.AllGrades[i]) {
			t.Errorf("%v is not below %v", geo.AllGrades[i-1], geo.AllGrades[i])
		}
	}
	if geo.Unassessed.Assessed() || !geo.Blue.Assessed() || !geo.Red.Assessed() {
		t.Error("Assessed is wrong")
	}
}

func TestParseGrade(t *testing.T) {
	tests := []struct {
		name, in string
		want     geo.Grade
		wantErr  bool
	}{
		{"code", "red", geo.Red, false},
		{"upper case", "ORANGE", geo.Orange, false},
		{"spaces", "  yellow ", geo.Yellow, false},
		{"colour zh", "蓝", geo.Blue, false},
		{"colour zh with 色", "红色", geo.Red, false},
		{"name zh", "重大风险", geo.Red, false},
		{"short name zh", "较大", geo.Orange, false},
		{"general", "一般风险", geo.Yellow, false},
		{"low", "低风险", geo.Blue, false},
		{"transport sector low", "较小风险", geo.Blue, false},
		{"empty is unassessed", "", geo.Unassessed, false},
		{"unassessed zh", "未评估", geo.Unassessed, false},
		{"unknown", "purple", geo.Unassessed, true},
		{"number", "3", geo.Unassessed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.ParseGrade(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseGrade(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
			if err != nil && !errors.Is(err, geo.ErrInvalid) {
				t.Errorf("ParseGrade(%q) error %v does not wrap ErrInvalid", tc.in, err)
			}
		})
	}
}

func TestParseLayers(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		wantErr  bool
	}{
		{"one", "bridges", 1, false},
		{"all", "counties,context,enterprises,bridges,black_spots,rescue_resources,shelters", 7, false},
		{"empty", "", 0, true},
		{"unknown", "bridges,roads", 0, true},
		{"twice", "bridges,bridges", 0, true},
		{"trailing comma", "bridges,", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.ParseLayers("layers", tc.in)
			if (err != nil) != tc.wantErr || len(got) != tc.want {
				t.Errorf("ParseLayers(%q) = %v, %v", tc.in, got, err)
			}
			var pe *geo.ParamError
			if err != nil && (!errors.As(err, &pe) || pe.Param != "layers") {
				t.Errorf("ParseLayers(%q) error %v is not a ParamError for layers", tc.in, err)
			}
		})
	}
	if c, ok := geo.Layer("shelters").Category(); !ok || c != geo.Shelters {
		t.Error("shelters layer is not the shelters category")
	}
	if _, ok := geo.Counties.Category(); ok {
		t.Error("counties layer is a category")
	}
}

func TestParseBBox(t *testing.T) {
	tests := []struct {
		name, in string
		want     orb.Bound
		wantErr  bool
	}{
		{"lishui", "118.6,27.4,120.5,29.0", orb.Bound{Min: orb.Point{118.6, 27.4}, Max: orb.Point{120.5, 29}}, false},
		{"spaces", " 1, 2 ,3,4", orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}, false},
		{"a point", "120,28,120,28", orb.Bound{Min: orb.Point{120, 28}, Max: orb.Point{120, 28}}, false},
		{"three numbers", "1,2,3", orb.Bound{}, true},
		{"six numbers", "1,2,3,4,5,6", orb.Bound{}, true},
		{"not a number", "a,2,3,4", orb.Bound{}, true},
		{"NaN", "NaN,2,3,4", orb.Bound{}, true},
		{"lon out of range", "-181,0,0,1", orb.Bound{}, true},
		{"lat out of range", "0,-91,1,1", orb.Bound{}, true},
		{"min lon above max", "121,28,120,29", orb.Bound{}, true},
		{"min lat above max", "120,29,121,28", orb.Bound{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.ParseBBox("bbox", tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseBBox(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"118.6,27.4,120.5,29.0", "1,2,3", "a,b,c,d", "-180,-90,180,90", "1e308,1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := geo.ParseBBox("bbox", s)
		if err != nil {
			if !errors.Is(err, geo.ErrInvalid) {
				t.Fatalf("ParseBBox(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
			t.Fatalf("ParseBBox(%q) = %v, outside the world or inverted", s, b)
		}
	})
}

func FuzzParseLayers(f *testing.F) {
	for _, s := range []string{"bridges", "counties,context", "a,,b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := geo.ParseLayers("layers", s)
		if err != nil {
			return
		}
		seen := map[geo.Layer]bool{}
		for _, l := range ls {
			if seen[l] {
				t.Fatalf("ParseLayers(%q) returned %s twice", s, l)
			}
			seen[l] = true
		}
	})
}

func TestColourByIndex(t *testing.T) {
	region := func(code string, counts map[string]int) geo.RegionStat {
		r := geo.RegionStat{Code: code, Counts: counts}
		return r
	}
	regions := []geo.RegionStat{
		region("many blue", map[string]int{"blue": 100}),             // I = 100
		region("one red", map[string]int{"red": 1, "blue": 1}),       // I = 28, but a red inside
		region("yellows", map[string]int{"yellow": 20}),              // I = 60
		region("oranges", map[string]int{"orange": 30}),              // I = 270
		region("nothing assessed", map[string]int{"unassessed": 50}), // no index
		region("few blue", map[string]int{"blue": 2}),                // I = 2
	}
	geo.ColourByIndex(regions, nil)
	want := map[string]geo.Grade{"oranges": geo.Red, "many blue": geo.Orange, "yellows": geo.Yellow, "one red": geo.Orange, "few blue": geo.Blue, "nothing assessed": geo.Unassessed}
	for _, r := range regions {
		if r.Grade != want[r.Code] {
			t.Errorf("%s: index %v, colour %v; want %v", r.Code, r.Index, r.Grade, want[r.Code])
		}
	}
	// Normalised by area, the small region's blues weigh more.
	regions = []geo.RegionStat{region("big", map[string]int{"blue": 10}), region("small", map[string]int{"blue": 10})}
	regions[0].AreaKM2, regions[1].AreaKM2 = 100, 1
	geo.ColourByIndex(regions, func(r geo.RegionStat) float64 { return r.AreaKM2 })
	if *regions[1].Index != 10 || *regions[0].Index != 0.1 || regions[1].Grade <= regions[0].Grade {
		t.Errorf("by area: big %v %v, small %v %v", *regions[0].Index, regions[0].Grade, *regions[1].Index, regions[1].Grade)
	}
}
