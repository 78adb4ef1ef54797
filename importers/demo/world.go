package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"riskmap/geo"
)

// seed is the PCG seed of every generator; each part of the dataset uses its
// own stream so that changing one category does not reshuffle the others.
const seed = 0x4C49_5348_5549_3131 // "LISHUI11"

// Random streams.
const (
	streamWorld uint64 = iota + 1
	streamEnterprises
	streamBridges
	streamBlackSpots
	streamResources
	streamShelters
	streamNetwork
)

// rnd wraps a seeded generator with the helpers the generators need.
type rnd struct{ *rand.Rand }

func newRnd(stream uint64) *rnd { return &rnd{rand.New(rand.NewPCG(seed, stream))} }

// between returns a uniform float in [a, b).
func (r *rnd) between(a, b float64) float64 { return a + (b-a)*r.Float64() }

// intIn returns a uniform int in [a, b], both inclusive.
func (r *rnd) intIn(a, b int) int { return a + r.IntN(b-a+1) }

// chance reports true with probability p.
func (r *rnd) chance(p float64) bool { return r.Float64() < p }

// pick returns a uniformly chosen element of s.
func pick[T any](r *rnd, s []T) T { return s[r.IntN(len(s))] }

// weighted returns an index chosen with probability proportional to w.
func (r *rnd) weighted(w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	t := r.Float64() * sum
	for i, x := range w {
		if t < x {
			return i
		}
		t -= x
	}
	return len(w) - 1
}

// cumPicker draws indices proportional to fixed weights in O(log n).
type cumPicker []float64

func newCumPicker(w []float64) cumPicker {
	c := make(cumPicker, len(w))
	var s float64
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

func (c cumPicker) pick(r *rnd) int {
	t := r.Float64() * c[len(c)-1]
	i, _ := slices.BinarySearchFunc(c, t, func(e, t float64) int {
		if e <= t {
			return -1
		}
		return 1
	})
	return min(i, len(c)-1)
}

// quota returns n indices with exact counts proportional to frac
// (largest-remainder rounding), in random order.
func (r *rnd) quota(n int, frac []float64) []int {
	counts := make([]int, len(frac))
	rem := make([]float64, len(frac))
	total := 0
	for i, f := range frac {
		x := f * float64(n)
		counts[i] = int(x)
		rem[i] = x - float64(counts[i])
		total += counts[i]
	}
	for total < n {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
		total++
	}
	out := make([]int, 0, n)
	for i, c := range counts {
		for range c {
			out = append(out, i)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// gradeQuota returns n grades with exact counts from frac, indexed by
// geo.Grade (Unassessed, Blue, Yellow, Orange, Red), in random order.
func (r *rnd) gradeQuota(n int, frac [5]float64) []geo.Grade {
	q := r.quota(n, frac[:])
	out := make([]geo.Grade, n)
	for i, x := range q {
		out[i] = geo.Grade(x)
	}
	return out
}

// cst is China Standard Time. A fixed zone keeps the generator independent
// of the tz database; China has no daylight saving time.
var cst = time.FixedZone("CST", 8*3600)

// assessDays is the number of days from 2025-01-01 to 2026-10-31 inclusive.
const assessDays = 669

// assessedAt returns a working-hours time between 2025-01-01 and 2026-10-31.
func (r *rnd) assessedAt() *time.Time {
	t := time.Date(2025, 1, 1, r.intIn(9, 16), r.IntN(60), 0, 0, cst).AddDate(0, 0, r.IntN(assessDays))
	return &t
}

// dateOf formats t as a calendar date in China Standard Time.
func dateOf(t *time.Time) string { return t.In(cst).Format("2006-01-02") }

// round returns x rounded to the given number of decimals.
func round(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}

// --- planar helpers (metres near Lishui, lon/lat degrees in orb.Points) ---

const metresPerDeg = 111320.0

// offset moves p by dx metres east and dy metres north.
func offset(p orb.Point, dx, dy float64) orb.Point {
	return orb.Point{
		p[0] + dx/(metresPerDeg*math.Cos(p[1]*math.Pi/180)),
		p[1] + dy/metresPerDeg,
	}
}

// round6 rounds a point to 6 decimals (about 0.1 m), like the source data.
func round6(p orb.Point) orb.Point { return orb.Point{round(p[0], 6), round(p[1], 6)} }

// dirM returns the unit direction from a to b in local metres.
func dirM(a, b orb.Point) (ux, uy float64) {
	dx := (b[0] - a[0]) * metresPerDeg * math.Cos((a[1]+b[1])/2*math.Pi/180)
	dy := (b[1] - a[1]) * metresPerDeg
	l := math.Hypot(dx, dy)
	if l == 0 {
		return 1, 0
	}
	return dx / l, dy / l
}

// distM is the great-circle distance in metres.
func distM(a, b orb.Point) float64 { return orbgeo.Distance(a, b) }

// distToLineM is the approximate distance from p to ls in metres.
func distToLineM(ls orb.LineString, p orb.Point) float64 {
	best := math.Inf(1)
	for i := 1; i < len(ls); i++ {
		best = min(best, segDistM(ls[i-1], ls[i], p))
	}
	return best
}

// segDistM is the distance in metres from p to segment ab (local plane).
func segDistM(a, b, p orb.Point) float64 {
	k := metresPerDeg * math.Cos(p[1]*math.Pi/180)
	ax, ay := (a[0]-p[0])*k, (a[1]-p[1])*metresPerDeg
	bx, by := (b[0]-p[0])*k, (b[1]-p[1])*metresPerDeg
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// path is a line string with cumulative lengths for sampling along it.
type path struct {
	ls  orb.LineString
	cum []float64 // metres from the start to each vertex
}

func newPath(ls orb.LineString) path {
	cum := make([]float64, len(ls))
	for i := 1; i < len(ls); i++ {
		cum[i] = cum[i-1] + distM(ls[i-1], ls[i])
	}
	return path{ls: ls, cum: cum}
}

func (p path) length() float64 { return p.cum[len(p.cum)-1] }

// at returns the point d metres along the path and the unit direction of
// travel there, in local metres.
func (p path) at(d float64) (pt orb.Point, ux, uy float64) {
	d = max(0, min(d, p.length()))
	i, _ := slices.BinarySearch(p.cum, d)
	i = max(1, min(i, len(p.cum)-1))
	a, b := p.ls[i-1], p.ls[i]
	seg := p.cum[i] - p.cum[i-1]
	t := 0.0
	if seg > 0 {
		t = (d - p.cum[i-1]) / seg
	}
	pt = orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	ux, uy = dirM(a, b)
	return pt, ux, uy
}

// --- centres: the seats, towns and synthetic satellites objects gather at ---

type centreKind int

const (
	kindCitySeat  centreKind = iota // 莲都, also the city seat
	kindSeat                        // a county seat
	kindStreet                      // a 街道
	kindTown                        // a 镇
	kindTownship                    // a 乡
	kindSatellite                   // synthetic centre near a seat (遂昌, 松阳)
)

func (k centreKind) isSeat() bool { return k == kindCitySeat || k == kindSeat }

// centre is a settlement that objects are placed around.
type centre struct {
	name      string // full name: 碧湖镇, 青田县城 …
	short     string // for composed names: 碧湖, 青田 …
	county    int    // index into base.counties
	pt        orb.Point
	kind      centreKind
	streets   []string // seats: the 街道 around the seat
	nearRiver bool     // within 3 km of the Ou river
}

// townName returns the township-level name to use for an object at the
// centre: a seat's 街道 (chosen at random) or the town's own name.
func (c *centre) townName(r *rnd) string {
	if len(c.streets) > 0 {
		return pick(r, c.streets)
	}
	return c.name
}

// seatStreets lists 街道 of each county seat, used to name objects placed
// at the seat.
var seatStreets = map[string][]string{
	"331102": {"白云街道", "紫金街道", "岩泉街道", "万象街道"},
	"331121": {"鹤城街道", "瓯南街道", "油竹街道"},
	"331122": {"五云街道", "仙都街道"},
	"331123": {"妙高街道", "云峰街道"},
	"331124": {"西屏街道", "水南街道", "望松街道"},
	"331125": {"浮云街道", "元和街道", "白龙山街道"},
	"331126": {"松源街道", "濛洲街道"},
	"331127": {"红星街道", "鹤溪街道"},
	"331181": {"龙渊街道", "西街街道", "剑池街道"},
}

// roadShort is the seat's name in road names: 莲都 is the city, 丽水.
func roadShort(c *county) string {
	if c.code == "331102" {
		return "丽水"
	}
	return c.short
}

// world is the base data plus the derived centres and road network.
type world struct {
	*base
	centres    []centre
	seatCentre []int // county index → index of its seat in centres
	roads      []road
}

func newWorld(b *base) *world {
	w := &world{base: b}
	r := newRnd(streamWorld)
	w.buildCentres(r)
	w.buildRoads(r)
	return w
}

func (w *world) buildCentres(r *rnd) {
	w.seatCentre = make([]int, len(w.counties))
	for i := range w.counties {
		c := &w.counties[i]
		kind := kindSeat
		if c.code == "331102" {
			kind = kindCitySeat
		}
		pt := c.center
		for _, s := range w.seats {
			if s.code == c.code {
				pt = s.pt
			}
		}
		w.seatCentre[i] = len(w.centres)
		w.centres = append(w.centres, centre{
			name: c.name + "城区", short: c.short, county: i, pt: pt, kind: kind,
			streets: seatStreets[c.code],
		})
	}

	// GeoNames towns: skip the seat records (PPLA2/PPLA3), places without a
	// Chinese name (all near-duplicates of named places), repeated names and
	// places within 2 km of a seat (鹤溪镇 is 景宁's seat).
	seen := map[string]bool{}
	for _, p := range w.places {
		ci := w.countyIndex(p.county)
		if p.nameZH == "" || p.featureCode != "PPLA4" || ci < 0 || seen[p.county+p.nameZH] {
			continue
		}
		if distM(p.pt, w.centres[w.seatCentre[ci]].pt) < 2000 || w.countyAt(p.pt) != ci {
			continue
		}
		seen[p.county+p.nameZH] = true
		kind := kindTown
		switch {
		case hasSuffix(p.nameZH, "街道"):
			kind = kindStreet
		case hasSuffix(p.nameZH, "乡"):
			kind = kindTownship
		}
		w.centres = append(w.centres, centre{name: p.nameZH, short: shortTown(p.nameZH), county: ci, pt: p.pt, kind: kind})
	}

	// 遂昌 and 松阳 have no GeoNames places: add synthetic satellites around
	// the seat, named by their direction from it.
	for _, code := range []string{"331123", "331124"} {
		ci := w.countyIndex(code)
		c := &w.counties[ci]
		seatPt := w.centres[w.seatCentre[ci]].pt
		dirs := []struct {
			name    string
			bearing float64
		}{{"城北片区", 0}, {"城东片区", 90}, {"城南片区", 180}, {"城西片区", 270}, {"工业园区", 45}}
		for _, d := range dirs {
			pt := seatPt
			for range 50 {
				b := (d.bearing + r.between(-35, 35)) * math.Pi / 180
				dist := r.between(4000, 9000)
				if d.name == "工业园区" {
					dist = r.between(3000, 6000)
				}
				cand := offset(seatPt, dist*math.Sin(b), dist*math.Cos(b))
				if w.countyAt(cand) == ci {
					pt = round6(cand)
					break
				}
			}
			w.centres = append(w.centres, centre{
				name: c.short + d.name, short: c.short, county: ci, pt: pt, kind: kindSatellite,
			})
		}
	}

	for i := range w.centres {
		w.centres[i].nearRiver = distToLineM(w.river, w.centres[i].pt) < 3000
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

func trimSuffix(s, suf string) string {
	if hasSuffix(s, suf) {
		return s[:len(s)-len(suf)]
	}
	return s
}

// placeNear returns a point near centre c drawn by draw (an offset in
// metres) that lies inside the centre's county, retrying up to 200 times,
// and falls back to the centre itself.
func (w *world) placeNear(r *rnd, c *centre, draw func() (dx, dy float64)) orb.Point {
	for range 200 {
		dx, dy := draw()
		p := round6(offset(c.pt, dx, dy))
		if w.countyAt(p) == c.county {
			return p
		}
	}
	return c.pt
}

// gauss draws a 2-D Gaussian offset with standard deviation sigma metres.
func (r *rnd) gauss(sigma float64) func() (float64, float64) {
	return func() (float64, float64) { return r.NormFloat64() * sigma, r.NormFloat64() * sigma }
}

// disk draws a uniform offset within radius metres.
func (r *rnd) disk(radius float64) func() (float64, float64) {
	return func() (float64, float64) {
		d := radius * math.Sqrt(r.Float64())
		a := r.Float64() * 2 * math.Pi
		return d * math.Cos(a), d * math.Sin(a)
	}
}

// centresOf returns the indices of the centres in county ci.
func (w *world) centresOf(ci int) []int {
	var out []int
	for i := range w.centres {
		if w.centres[i].county == ci {
			out = append(out, i)
		}
	}
	return out
}

// nearestCentre returns the index of the centre closest to p.
func (w *world) nearestCentre(p orb.Point) int {
	best, bd := 0, math.Inf(1)
	for i := range w.centres {
		if d := distM(p, w.centres[i].pt); d < bd {
			best, bd = i, d
		}
	}
	return best
}

// context returns the offline basemap features.
func (w *world) context() []geo.ContextFeature {
	var out []geo.ContextFeature
	out = append(out, geo.ContextFeature{Kind: "river", Name: "瓯江", SourceID: "river-ou", Geometry: orb.Clone(w.river)})
	for _, rd := range w.roads {
		out = append(out, geo.ContextFeature{Kind: "road", Name: rd.name, SourceID: rd.id, Geometry: orb.Clone(rd.path.ls)})
	}
	places := slices.Clone(w.places)
	slices.SortStableFunc(places, func(a, b place) int { return cmp.Compare(a.geonameID, b.geonameID) })
	for _, p := range places {
		out = append(out, geo.ContextFeature{Kind: "town", Name: p.name, SourceID: "town-" + p.geonameID, Geometry: p.pt})
	}
	for _, s := range w.seats {
		out = append(out, geo.ContextFeature{Kind: "seat", Name: s.name, SourceID: "seat-" + s.code, Geometry: s.pt})
	}
	for _, c := range w.counties {
		out = append(out, geo.ContextFeature{Kind: "county_label", Name: c.name, SourceID: "label-" + c.code, Geometry: c.center})
	}
	return out
}
