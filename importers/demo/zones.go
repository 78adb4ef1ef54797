package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"riskmap/geo"
)

// Zones returns the demo's hazard zoning (made up, like the objects): a
// flood-risk corridor along stretches of the Ou river, landslide and
// debris-flow danger areas around bridges in the mountain counties, and
// forest-fire prevention zones in the south-west. Deterministic. The
// corridors can fold on themselves at sharp bends: load them with
// repair (and clip, for the parts beyond the boundary).
func Zones(ds *Dataset) []geo.ZoneFeature {
	r := rand.New(rand.NewPCG(2020, 10))
	var out []geo.ZoneFeature
	zone := func(name, hazard, kind, grade, desc string, g orb.Polygon, season [2]string) {
		out = append(out, geo.ZoneFeature{Fields: geo.ZoneFields{Name: name, HazardType: hazard, Kind: kind, Grade: grade,
			Description: "演示数据：" + desc, SeasonFrom: season[0], SeasonTo: season[1], Source: "model"}, Geometry: g})
	}
	flood := [2]string{"04-15", "10-15"} // 汛期 [VERIFY: Zhejiang's dates]
	var river orb.LineString
	for _, c := range ds.Context {
		if l, ok := c.Geometry.(orb.LineString); ok && c.Kind == "river" {
			river = l
		}
	}
	// The river in stretches of 12 vertices, every other one a corridor
	// 300–700 m either side.
	grades := []string{"red", "orange", "yellow", "orange", "blue", "yellow"}
	for k, start := 0, 0; start+12 < len(river); k, start = k+1, start+24 {
		half := 300 + r.Float64()*400
		zone(fmt.Sprintf("瓯江洪水风险区%d段", k+1), "flood", "risk_zone", grades[k%len(grades)],
			fmt.Sprintf("沿瓯江两岸约 %.0f 米", half), corridor(river[start:start+12], half), flood)
	}
	// Around bridges in the mountain counties: danger areas.
	mountain := map[string]string{"331127": "景宁", "331123": "遂昌", "331181": "龙泉", "331126": "庆元", "331124": "松阳", "331125": "云和"}
	seen := map[string]int{}
	for _, o := range ds.Objects {
		county, ok := mountain[o.County]
		if o.Category != geo.Bridges || !ok || seen[o.County] >= 3 || r.IntN(20) != 0 {
			continue
		}
		seen[o.County]++
		hazard, label := "landslide", "滑坡"
		if seen[o.County] == 2 {
			hazard, label = "debris_flow", "泥石流"
		}
		centre := orb.Point{o.Point[0] + (r.Float64()-0.5)*0.02, o.Point[1] + (r.Float64()-0.5)*0.02}
		zone(fmt.Sprintf("%s%s危险区%d", county, label, seen[o.County]), hazard, "danger_area", []string{"red", "orange", "yellow"}[r.IntN(3)],
			"山区道路沿线"+label+"易发区", blob(r, centre, 600+r.Float64()*900), flood)
	}
	// Forest-fire prevention zones.
	fire := [2]string{"10-01", "04-30"} // 森林防火期 [VERIFY]
	for i, c := range []orb.Point{{119.05, 27.75}, {118.85, 28.0}, {119.25, 27.65}} {
		zone(fmt.Sprintf("森林火灾重点防治区%d", i+1), "forest_fire", "prevention_zone", []string{"orange", "red", "yellow"}[i],
			"林区森林火险等级较高", blob(r, c, 5000+r.Float64()*3000), fire)
	}
	return out
}

// metres per degree of latitude (and of longitude at the equator).
const mPerDeg = 111320

// corridor is the band half metres either side of line, as a polygon
// (left side out, right side back): it folds where the line turns more
// sharply than half allows, which a repair undoes.
func corridor(line orb.LineString, half float64) orb.Polygon {
	n := len(line)
	left, right := make([]orb.Point, n), make([]orb.Point, n)
	for i, p := range line {
		a, b := line[max(0, i-1)], line[min(n-1, i+1)]
		k := math.Cos(p[1] * math.Pi / 180)
		dx, dy := (b[0]-a[0])*k, b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			l = 1
		}
		nx, ny := -dy/l, dx/l // the left normal, in metres' proportions
		off := half / mPerDeg
		left[i] = orb.Point{p[0] + nx*off/k, p[1] + ny*off}
		right[i] = orb.Point{p[0] - nx*off/k, p[1] - ny*off}
	}
	// counter-clockwise: along the right side, back along the left
	ring := append(orb.Ring{}, right...)
	for i := n - 1; i >= 0; i-- {
		ring = append(ring, left[i])
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// blob is an irregular twelve-sided shape of about radius metres round c,
// counter-clockwise.
func blob(r *rand.Rand, c orb.Point, radius float64) orb.Polygon {
	k := math.Cos(c[1] * math.Pi / 180)
	ring := orb.Ring{}
	for i := range 12 {
		a := 2 * math.Pi * float64(i) / 12
		m := radius * (0.7 + 0.6*r.Float64())
		ring = append(ring, orb.Point{c[0] + m*math.Cos(a)/(mPerDeg*k), c[1] + m*math.Sin(a)/mPerDeg})
	}
	return orb.Polygon{append(ring, ring[0])}
}
