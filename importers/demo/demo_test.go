package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"riskmap/geo"
)

var (
	dsOnce sync.Once
	dsVal  *Dataset
	dsErr  error
)

// dataset returns one shared Lishui dataset for the read-only tests.
func dataset(t testing.TB) *Dataset {
	t.Helper()
	dsOnce.Do(func() { dsVal, dsErr = Lishui() })
	if dsErr != nil {
		t.Fatalf("Lishui: %v", dsErr)
	}
	return dsVal
}

func byCategory(ds *Dataset) map[geo.Category][]geo.Object {
	out := map[geo.Category][]geo.Object{}
	for _, o := range ds.Objects {
		out[o.Category] = append(out[o.Category], o)
	}
	return out
}

func hashDataset(t *testing.T, ds *Dataset) string {
	t.Helper()
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestDeterministic(t *testing.T) {
	a, err := Lishui()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Lishui()
	if err != nil {
		t.Fatal(err)
	}
	ha, hb := hashDataset(t, a), hashDataset(t, b)
	if ha != hb {
		t.Fatalf("two calls differ: %s vs %s", ha, hb)
	}
	// The result is freshly allocated: changing one does not change the next.
	a.Objects[0].Attributes["industry"] = "changed"
	a.Divisions[0].Geometry[0][0][0] = orb.Point{0, 0}
	c, err := Lishui()
	if err != nil {
		t.Fatal(err)
	}
	if hc := hashDataset(t, c); hc != hb {
		t.Fatalf("mutating a result changed the next one")
	}
}

func TestCounts(t *testing.T) {
	ds := dataset(t)
	cats := byCategory(ds)
	tests := []struct {
		cat    geo.Category
		want   int
		prefix string
	}{
		{geo.Enterprises, 7000, "ent-"},
		{geo.Bridges, 1200, "brg-"},
		{geo.BlackSpots, 600, "bs-"},
		{geo.RescueResources, 500, "res-"},
		{geo.Shelters, 1500, "shl-"},
	}
	for _, tt := range tests {
		t.Run(string(tt.cat), func(t *testing.T) {
			objs := cats[tt.cat]
			if len(objs) != tt.want {
				t.Errorf("got %d objects, want %d", len(objs), tt.want)
			}
			ids := map[string]bool{}
			for _, o := range objs {
				if ids[o.SourceID] {
					t.Errorf("duplicate SourceID %s", o.SourceID)
				}
				ids[o.SourceID] = true
				if !strings.HasPrefix(o.SourceID, tt.prefix) {
					t.Errorf("SourceID %s lacks prefix %s", o.SourceID, tt.prefix)
				}
				if o.Source != Source || o.Name == "" || o.ID != 0 || !o.CreatedAt.IsZero() || !o.UpdatedAt.IsZero() {
					t.Errorf("%s: bad common fields: %+v", o.SourceID, o)
				}
			}
		})
	}
	if len(ds.Objects) < 10000 {
		t.Errorf("%d objects in all, want ≥ 10000", len(ds.Objects))
	}
}

func TestDivisions(t *testing.T) {
	ds := dataset(t)
	want := map[string]struct {
		name string
		pop  int64
	}{
		"331102": {"莲都区", 562116},
		"331121": {"青田县", 509053},
		"331122": {"缙云县", 405318},
		"331123": {"遂昌县", 194385},
		"331124": {"松阳县", 204880},
		"331125": {"云和县", 129216},
		"331126": {"庆元县", 142551},
		"331127": {"景宁畲族自治县", 111011},
		"331181": {"龙泉市", 248866},
		"331100": {"丽水市", 2507396},
	}
	if len(ds.Divisions) != len(want) {
		t.Fatalf("got %d divisions, want %d", len(ds.Divisions), len(want))
	}
	var sum int64
	for _, d := range ds.Divisions {
		w, ok := want[d.Code]
		if !ok {
			t.Errorf("unexpected division %s", d.Code)
			continue
		}
		if d.Name != w.name || d.Population == nil || *d.Population != w.pop {
			t.Errorf("%s: got %s %v, want %s %d", d.Code, d.Name, d.Population, w.name, w.pop)
		}
		if d.Code == "331100" {
			if d.Level != "city" || d.ParentCode != "330000" {
				t.Errorf("the city: level %q parent %q", d.Level, d.ParentCode)
			}
		} else if d.Level != "county" || d.ParentCode != "331100" {
			t.Errorf("%s: level %q parent %q", d.Code, d.Level, d.ParentCode)
		}
		if !planar.MultiPolygonContains(d.Geometry, d.Label) {
			t.Errorf("%s: label %v outside the county", d.Code, d.Label)
		}
		if d.Population != nil && d.Code != "331100" {
			sum += *d.Population
		}
	}
	if sum != 2507396 {
		t.Errorf("population sum %d, want 2507396", sum)
	}
}

func TestObjectsInsideTheirCounty(t *testing.T) {
	ds := dataset(t)
	polys := map[string]orb.MultiPolygon{}
	for _, d := range ds.Divisions {
		polys[d.Code] = d.Geometry
	}
	for _, o := range ds.Objects {
		mp, ok := polys[o.County]
		if !ok {
			t.Errorf("%s %s: county %q is not a division", o.Category, o.SourceID, o.County)
			continue
		}
		if !planar.MultiPolygonContains(mp, o.Point) {
			t.Errorf("%s %s at %v is outside county %s", o.Category, o.SourceID, o.Point, o.County)
		}
	}
}

func TestContext(t *testing.T) {
	ds := dataset(t)
	count := map[string]int{}
	ids := map[string]bool{}
	for _, f := range ds.Context {
		count[f.Kind]++
		if ids[f.SourceID] {
			t.Errorf("duplicate context SourceID %s", f.SourceID)
		}
		ids[f.SourceID] = true
		if f.Name == "" || f.Geometry == nil {
			t.Errorf("%s: empty name or geometry", f.SourceID)
		}
		switch f.Kind {
		case "river":
			if f.Name != "瓯江" {
				t.Errorf("river named %q", f.Name)
			}
		case "road":
			ls, ok := f.Geometry.(orb.LineString)
			switch {
			case strings.HasPrefix(f.SourceID, "link-"): // a town's road
				if !ok || len(ls) < 2 || !strings.HasSuffix(f.Name, "连接线") {
					t.Errorf("road %s %q: %T with %d vertices", f.SourceID, f.Name, f.Geometry, len(ls))
				}
				count["link"]++
			case !ok || len(ls) < 5 || !strings.Contains(f.Name, "—"):
				t.Errorf("road %s %q: %T with %d vertices", f.SourceID, f.Name, f.Geometry, len(ls))
			}
		}
	}
	tests := []struct {
		kind     string
		min, max int
	}{
		{"river", 1, 1},
		{"road", 8 + 90, 14 + 110},
		{"link", 90, 110},
		{"town", 110, 110},
		{"seat", 10, 10},
		{"county_label", 9, 9},
	}
	for _, tt := range tests {
		if n := count[tt.kind]; n < tt.min || n > tt.max {
			t.Errorf("%d context features of kind %s, want %d..%d", n, tt.kind, tt.min, tt.max)
		}
	}
}

func TestGradeProportions(t *testing.T) {
	cats := byCategory(dataset(t))
	for _, cat := range geo.AllCategories {
		t.Run(string(cat), func(t *testing.T) {
			objs := cats[cat]
			var n [5]int
			for _, o := range objs {
				n[o.Grade]++
			}
			frac := func(g geo.Grade) float64 { return float64(n[g]) / float64(len(objs)) }
			t.Logf("red %.1f%% orange %.1f%% yellow %.1f%% blue %.1f%% unassessed %.1f%%",
				100*frac(geo.Red), 100*frac(geo.Orange), 100*frac(geo.Yellow), 100*frac(geo.Blue), 100*frac(geo.Unassessed))
			for _, g := range geo.AllGrades {
				if n[g] == 0 {
					t.Errorf("no %s objects", g)
				}
			}
			if !(n[geo.Red] < n[geo.Orange] && n[geo.Orange] < n[geo.Yellow] && n[geo.Yellow] < n[geo.Blue]) {
				t.Errorf("want red < orange < yellow < blue, got %v", n)
			}
			if f := frac(geo.Red); f > 0.035 {
				t.Errorf("red %.3f, want rare (≤ 3.5%%)", f)
			}
			if f := frac(geo.Blue); f < 0.5 {
				t.Errorf("blue %.3f, want the majority", f)
			}
			if f := frac(geo.Unassessed); f < 0.03 || f > 0.16 {
				t.Errorf("unassessed %.3f, want 3–16%%", f)
			}
		})
	}
}

var (
	cst8     = time.FixedZone("CST", 8*3600)
	assessLo = time.Date(2025, 1, 1, 0, 0, 0, 0, cst8)
	assessHi = time.Date(2026, 11, 1, 0, 0, 0, 0, cst8)
)

func num(t *testing.T, o geo.Object, key string) float64 {
	t.Helper()
	switch v := o.Attributes[key].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	t.Fatalf("%s: attribute %s = %#v, want a number", o.SourceID, key, o.Attributes[key])
	return 0
}

func str(t *testing.T, o geo.Object, key string) string {
	t.Helper()
	s, ok := o.Attributes[key].(string)
	if !ok {
		t.Fatalf("%s: attribute %s = %#v, want a string", o.SourceID, key, o.Attributes[key])
	}
	return s
}

func inFactors(fs []factor, v float64) bool {
	for _, f := range fs {
		if f.v == v {
			return true
		}
	}
	return false
}

func TestGradeConsistency(t *testing.T) {
	cats := byCategory(dataset(t))
	checks := map[geo.Category]func(t *testing.T, o geo.Object){
		geo.Enterprises: func(t *testing.T, o geo.Object) {
			l, e, c := num(t, o, "lec_l"), num(t, o, "lec_e"), num(t, o, "lec_c")
			if !inFactors(lecL, l) || !inFactors(lecE, e) || !inFactors(lecC, c) {
				t.Errorf("%s: LEC factors %v %v %v not in the tables", o.SourceID, l, e, c)
			}
			d := lecD(l, e, c)
			if *o.Score != d || lecGrade(d) != o.Grade || o.Method != MethodLEC {
				t.Errorf("%s: D=%v score %v grade %s method %s", o.SourceID, d, *o.Score, o.Grade, o.Method)
			}
			band := map[geo.Grade][2]float64{geo.Red: {320, math.Inf(1)}, geo.Orange: {160, 320}, geo.Yellow: {70, 160}, geo.Blue: {0, 70}}[o.Grade]
			if !(d > band[0] && d <= band[1]) {
				t.Errorf("%s: D=%v outside the %s band %v", o.SourceID, d, o.Grade, band)
			}
		},
		geo.Bridges: func(t *testing.T, o geo.Object) {
			tc := int(num(t, o, "tech_class"))
			dr := num(t, o, "dr_score")
			if *o.Score != dr || bridgeClass(dr) != tc || bridgeGrade(tc) != o.Grade || o.Method != MethodBridge {
				t.Errorf("%s: class %d Dr %v score %v grade %s", o.SourceID, tc, dr, *o.Score, o.Grade)
			}
			if d := str(t, o, "last_inspection_date"); d != o.AssessedAt.In(cst8).Format("2006-01-02") {
				t.Errorf("%s: inspection %s vs assessed %v", o.SourceID, d, o.AssessedAt)
			}
		},
		geo.BlackSpots: func(t *testing.T, o geo.Object) {
			class := str(t, o, "class")
			if blackSpotGrade(class) != o.Grade || o.Method != MethodBlackSpot {
				t.Errorf("%s: class %s grade %s", o.SourceID, class, o.Grade)
			}
			fatal, injury := num(t, o, "n_fatal_3y"), num(t, o, "n_injury_3y")
			var ok bool
			switch class {
			case "一类":
				ok = fatal >= 6
			case "二类":
				ok = fatal >= 3 && fatal <= 5
			case "三类":
				ok = fatal <= 2 && fatal+injury >= 1 && fatal+injury <= 5 && (fatal > 0 || injury >= 3)
			case "观察":
				ok = fatal == 0 && injury <= 2
			}
			if !ok || *o.Score != num(t, o, "n_accidents_3y") || num(t, o, "n_accidents_3y") < fatal+injury {
				t.Errorf("%s: class %s with %v fatal, %v injury accidents", o.SourceID, class, fatal, injury)
			}
		},
		geo.RescueResources: siteSafetyCheck,
		geo.Shelters:        siteSafetyCheck,
	}
	for _, cat := range geo.AllCategories {
		t.Run(string(cat), func(t *testing.T) {
			for _, o := range cats[cat] {
				if !o.Grade.Assessed() {
					if o.Grade != geo.Unassessed || o.Score != nil || o.Method != "" || o.AssessedAt != nil {
						t.Errorf("%s: unassessed but score %v method %q at %v", o.SourceID, o.Score, o.Method, o.AssessedAt)
					}
					continue
				}
				if o.Score == nil || o.Method == "" || o.AssessedAt == nil {
					t.Errorf("%s: grade %s without score, method or date", o.SourceID, o.Grade)
					continue
				}
				if o.AssessedAt.Before(assessLo) || !o.AssessedAt.Before(assessHi) {
					t.Errorf("%s: assessed at %v, outside 2025-01-01..2026-10-31", o.SourceID, o.AssessedAt)
				}
				checks[cat](t, o)
			}
		})
	}
}

func siteSafetyCheck(t *testing.T, o geo.Object) {
	if o.Method != MethodSiteSafety || siteSafetyGrade(*o.Score) != o.Grade || *o.Score > 100 || *o.Score < 0 {
		t.Errorf("%s: site safety %v → %s, method %s", o.SourceID, *o.Score, o.Grade, o.Method)
	}
}

func TestAttributes(t *testing.T) {
	cats := byCategory(dataset(t))
	required := map[geo.Category][]string{
		geo.Enterprises:     {"industry", "industry_code", "supervision_sector", "employees", "scale", "uscc", "standardization_level", "address"},
		geo.Bridges:         {"bridge_code", "route_code", "stake_km", "total_length_m", "max_span_m", "size_class", "structure", "year_built", "on_ou_river"},
		geo.BlackSpots:      {"road", "spot_type", "class", "n_accidents_3y", "n_fatal_3y", "n_injury_3y", "treatment_status"},
		geo.RescueResources: {"team_type", "kind", "headcount", "personnel_on_duty", "status", "phone"},
		geo.Shelters:        {"tier", "capacity_persons", "effective_area_m2", "form", "host_facility", "status", "manager", "phone"},
	}
	phone := regexp.MustCompile(`^0578-\d{7}$`)
	industryCode := regexp.MustCompile(`^\d{4}$`)
	for _, cat := range geo.AllCategories {
		t.Run(string(cat), func(t *testing.T) {
			for _, o := range cats[cat] {
				for _, k := range required[cat] {
					if _, ok := o.Attributes[k]; !ok {
						t.Fatalf("%s: attribute %s missing", o.SourceID, k)
					}
				}
				for k, v := range o.Attributes {
					switch v.(type) {
					case string, int, float64, bool:
					default:
						t.Fatalf("%s: attribute %s has type %T", o.SourceID, k, v)
					}
				}
				if p, ok := o.Attributes["phone"].(string); ok && !phone.MatchString(p) {
					t.Errorf("%s: phone %q", o.SourceID, p)
				}
				switch cat {
				case geo.Enterprises:
					if !industryCode.MatchString(str(t, o, "industry_code")) {
						t.Errorf("%s: industry_code %v", o.SourceID, o.Attributes["industry_code"])
					}
				case geo.Bridges:
					l, lk := num(t, o, "total_length_m"), num(t, o, "max_span_m")
					if size := str(t, o, "size_class"); size != bridgeSize(l, lk) || lk > l {
						t.Errorf("%s: %s with L=%v Lk=%v", o.SourceID, size, l, lk)
					}
					if y := num(t, o, "year_built"); y < 1960 || y > 2026 {
						t.Errorf("%s: built %v", o.SourceID, y)
					}
					if o.Grade == geo.Unassessed {
						if _, ok := o.Attributes["tech_class"]; ok {
							t.Errorf("%s: uninspected but has tech_class", o.SourceID)
						}
					}
				case geo.RescueResources:
					if num(t, o, "personnel_on_duty") > num(t, o, "headcount") {
						t.Errorf("%s: more on duty than in total", o.SourceID)
					}
				case geo.Shelters:
					c, a := num(t, o, "capacity_persons"), num(t, o, "effective_area_m2")
					minCap := map[string]float64{"county_center": 200, "township_center": 100, "village_point": 50}[str(t, o, "tier")]
					if minCap == 0 || c < minCap || a < 2*c {
						t.Errorf("%s: tier %s capacity %v area %v", o.SourceID, o.Attributes["tier"], c, a)
					}
				}
			}
		})
	}
}

// usccRE is the USCC pattern from domain.md §2.1.
var usccRE = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)

func TestUSCCCheckDigits(t *testing.T) {
	tests := []struct {
		name string
		code string
		ok   bool
	}{
		{"GB 32100 example", "91350100M000100Y43", true},
		{"wrong check character", "91350100M000100Y44", false},
		{"letter outside alphabet", "91350100M000100I43", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := usccRE.MatchString(tt.code) && usccCheck(tt.code[:17]) == tt.code[17]
			if got != tt.ok {
				t.Errorf("valid(%s) = %v, want %v", tt.code, got, tt.ok)
			}
		})
	}
	// GB 11714's worked example is D2143569-X; the USCC example above
	// embeds M000100Y-4.
	for body, want := range map[string]byte{"D2143569": 'X', "M000100Y": '4'} {
		if c := orgCodeCheck(body); c != want {
			t.Errorf("orgCodeCheck(%s) = %c, want %c", body, c, want)
		}
	}
}

func TestEnterpriseUSCC(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range byCategory(dataset(t))[geo.Enterprises] {
		u := str(t, o, "uscc")
		if !usccRE.MatchString(u) {
			t.Errorf("%s: USCC %q does not match the pattern", o.SourceID, u)
			continue
		}
		if usccCheck(u[:17]) != u[17] {
			t.Errorf("%s: USCC %q has a wrong GB 32100 check character", o.SourceID, u)
		}
		if orgCodeCheck(u[8:16]) != u[16] {
			t.Errorf("%s: USCC %q has a wrong GB 11714 check character", o.SourceID, u)
		}
		if u[2:8] != o.County {
			t.Errorf("%s: USCC %q registered in %s, object in %s", o.SourceID, u, u[2:8], o.County)
		}
		if seen[u] {
			t.Errorf("duplicate USCC %s", u)
		}
		seen[u] = true
	}
}

// TestSummary logs what the dataset looks like (run with -v).
func TestEveryCountyHasEveryCategory(t *testing.T) {
	ds := dataset(t)
	perCounty := map[string]map[geo.Category]int{}
	for _, o := range ds.Objects {
		if perCounty[o.County] == nil {
			perCounty[o.County] = map[geo.Category]int{}
		}
		perCounty[o.County][o.Category]++
	}
	for _, d := range ds.Divisions {
		if d.Level != geo.LevelCounty {
			continue // the city: its objects are its counties'
		}
		for _, cat := range geo.AllCategories {
			if perCounty[d.Code][cat] == 0 {
				t.Errorf("%s %s has no %s", d.Code, d.Name, cat)
			}
		}
		t.Logf("%s %s: %v", d.Code, d.Name, perCounty[d.Code])
	}
}

// metres projects lon/lat onto a local plane in metres around Lishui,
// good to a few per cent over the city.
func metres(p orb.Point) orb.Point {
	const lat0 = 28.3
	return orb.Point{p[0] * 111320 * math.Cos(lat0*math.Pi/180), p[1] * 110540}
}

func metresLine(l orb.LineString) orb.LineString {
	out := make(orb.LineString, len(l))
	for i, p := range l {
		out[i] = metres(p)
	}
	return out
}

// TestPlacement checks that objects stand where their kind stands: bridges
// on the river or a road, black spots on a road, rescue resources and
// shelters by a town or seat, enterprises around towns.
func TestPlacement(t *testing.T) {
	ds := dataset(t)
	var roads, riverAndRoads []orb.LineString
	var places []orb.Point
	for _, f := range ds.Context {
		switch f.Kind {
		case "road":
			roads = append(roads, metresLine(f.Geometry.(orb.LineString)))
			riverAndRoads = append(riverAndRoads, metresLine(f.Geometry.(orb.LineString)))
		case "river":
			riverAndRoads = append(riverAndRoads, metresLine(f.Geometry.(orb.LineString)))
		case "town", "seat":
			places = append(places, metres(f.Geometry.(orb.Point)))
		}
	}
	toLines := func(p orb.Point, ls []orb.LineString) float64 {
		d := math.Inf(1)
		for _, l := range ls {
			d = math.Min(d, planar.DistanceFrom(l, p))
		}
		return d
	}
	toPlaces := func(p orb.Point) float64 {
		d := math.Inf(1)
		for _, q := range places {
			d = math.Min(d, planar.Distance(p, q))
		}
		return d
	}
	// 遂昌 and 松阳 have no GeoNames towns; their objects gather around
	// made-up centres, so distances to places are not checked there.
	noTowns := map[string]bool{"331123": true, "331124": true}
	tests := []struct {
		cat     geo.Category
		dist    func(orb.Point) float64
		max     float64 // metres
		share   float64 // of objects that must lie within max
		checked func(geo.Object) bool
	}{
		{geo.Bridges, func(p orb.Point) float64 { return toLines(p, riverAndRoads) }, 60, 1, nil},
		{geo.BlackSpots, func(p orb.Point) float64 { return toLines(p, roads) }, 30, 1, nil},
		{geo.RescueResources, toPlaces, 600, 1, func(o geo.Object) bool { return !noTowns[o.County] }},
		{geo.Shelters, toPlaces, 5500, 1, func(o geo.Object) bool { return !noTowns[o.County] }},
		{geo.Enterprises, toPlaces, 10000, 1, func(o geo.Object) bool { return !noTowns[o.County] }},
	}
	for _, tc := range tests {
		t.Run(string(tc.cat), func(t *testing.T) {
			n, near := 0, 0
			var worst float64
			for _, o := range ds.Objects {
				if o.Category != tc.cat || (tc.checked != nil && !tc.checked(o)) {
					continue
				}
				n++
				d := tc.dist(metres(o.Point))
				worst = math.Max(worst, d)
				if d <= tc.max {
					near++
				}
			}
			t.Logf("%d of %d within %.0f m; farthest %.0f m", near, n, tc.max, worst)
			if n == 0 || float64(near) < tc.share*float64(n) {
				t.Errorf("%d of %d %s within %.0f m of where they belong (want %.0f%%); farthest %.0f m", near, n, tc.cat, tc.max, tc.share*100, worst)
			}
		})
	}
}

func BenchmarkLishui(b *testing.B) {
	for b.Loop() {
		if _, err := Lishui(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNetwork: the routable network's roads are valid and make one
// connected network (two-way, so each place reaches every other), and
// every rescue resource and shelter is within
// 0.1° of a road's vertex (postgis.SnapDegrees is 0.1° to its line), so
// that routing works on the demo.
func TestNetwork(t *testing.T) {
	ds := dataset(t)
	parent := map[orb.Point]orb.Point{}
	var find func(p orb.Point) orb.Point
	find = func(p orb.Point) orb.Point {
		if q, ok := parent[p]; ok && q != p {
			r := find(q)
			parent[p] = r
			return r
		}
		parent[p] = p
		return p
	}
	ids := map[string]bool{}
	for _, r := range ds.Roads {
		if err := r.Check(); err != nil {
			t.Fatalf("road %s: %v", r.SourceID, err)
		}
		if ids[r.SourceID] {
			t.Fatalf("road %s twice", r.SourceID)
		}
		ids[r.SourceID] = true
		a, b := find(r.Line[0]), find(r.Line[len(r.Line)-1])
		parent[a] = b
	}
	roots := map[orb.Point]bool{}
	for p := range parent {
		roots[find(p)] = true
	}
	if len(roots) != 1 || len(ds.Roads) < 500 {
		t.Fatalf("%d roads in %d separate networks, want one", len(ds.Roads), len(roots))
	}
	var pts []orb.Point
	for p := range parent {
		pts = append(pts, p)
	}
	for _, o := range ds.Objects {
		if o.Category != geo.RescueResources && o.Category != geo.Shelters {
			continue
		}
		near := math.Inf(1)
		for _, p := range pts {
			near = math.Min(near, math.Hypot(p[0]-o.Point[0], p[1]-o.Point[1]))
		}
		if near > 0.1 {
			t.Errorf("%s %s is %.3f° from the nearest road vertex", o.Category, o.Name, near)
		}
	}
}
