package demo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// road is a synthetic trunk road between two seats. The same geometry is the
// "road" context feature and the line bridges and black spots are put on.
type road struct {
	id    string // road-331102-331125
	name  string // 丽水—云和
	short string // 丽云线, used in bridge and black-spot names
	code  string // route code, e.g. G330
	a, b  int    // county indices of the two seats
	path  path
}

// extraLinks are added to the minimum spanning tree over the seats so that
// the network has a few loops, as real networks do.
var extraLinks = [][2]string{
	{"331102", "331125"}, // 丽水—云和
	{"331123", "331181"}, // 遂昌—龙泉
	{"331127", "331126"}, // 景宁—庆元
	{"331121", "331127"}, // 青田—景宁
	{"331122", "331121"}, // 缙云—青田
}

// routeCodes are given to the roads in order. They are plausible national
// (G) and provincial (S) route numbers, not the real ones.
var routeCodes = []string{"G330", "G235", "S222", "S226", "G322", "S228", "S325", "S329", "S50", "S221", "S330", "S227", "S223", "S324"}

// buildRoads joins the 9 county seats (莲都's is also the city seat) with a
// minimum spanning tree plus extraLinks, each road a gently jittered line.
func (w *world) buildRoads(r *rnd) {
	n := len(w.counties)
	seatPt := func(i int) orb.Point { return w.centres[w.seatCentre[i]].pt }

	type edge struct{ a, b int }
	var edges []edge
	in := make([]bool, n)
	in[w.countyIndex("331102")] = true
	for range n - 1 {
		best, bd := edge{-1, -1}, math.Inf(1)
		for i := range n {
			if !in[i] {
				continue
			}
			for j := range n {
				if in[j] {
					continue
				}
				if d := distM(seatPt(i), seatPt(j)); d < bd {
					best, bd = edge{i, j}, d
				}
			}
		}
		in[best.b] = true
		edges = append(edges, best)
	}
	for _, l := range extraLinks {
		a, b := w.countyIndex(l[0]), w.countyIndex(l[1])
		dup := false
		for _, e := range edges {
			if (e.a == a && e.b == b) || (e.a == b && e.b == a) {
				dup = true
			}
		}
		if !dup && a >= 0 && b >= 0 {
			edges = append(edges, edge{a, b})
		}
	}

	for i, e := range edges {
		ca, cb := &w.counties[e.a], &w.counties[e.b]
		sa, sb := roadShort(ca), roadShort(cb)
		w.roads = append(w.roads, road{
			id:    "road-" + ca.code + "-" + cb.code,
			name:  sa + "—" + sb,
			short: string([]rune(sa)[:1]) + string([]rune(sb)[:1]) + "线",
			code:  routeCodes[i%len(routeCodes)],
			a:     e.a,
			b:     e.b,
			path:  newPath(w.roadLine(r, seatPt(e.a), seatPt(e.b))),
		})
	}
}

// roadLine draws a road from a to b: a few control vertices offset a few km
// from the straight line (tapering to zero at the ends), then vertices
// every ~2 km with ~250 m of wiggle. Offsets that would leave Lishui are
// redrawn.
func (w *world) roadLine(r *rnd, a, b orb.Point) orb.LineString {
	inside := func(p orb.Point) bool { return w.countyAt(p) >= 0 }
	length := distM(a, b)
	ux, uy := dirM(a, b)
	px, py := -uy, ux
	k := max(2, min(6, int(length/12000)))
	sigma := min(3000, length*0.06)

	ctrl := []orb.Point{a}
	for i := 1; i <= k; i++ {
		t := (float64(i) + r.between(-0.25, 0.25)) / float64(k+1)
		along := t * length
		p := offset(a, ux*along, uy*along)
		for range 30 {
			o := max(-2.5*sigma, min(2.5*sigma, r.NormFloat64()*sigma)) * math.Sin(math.Pi*t)
			if c := offset(a, ux*along+px*o, uy*along+py*o); inside(c) {
				p = c
				break
			}
		}
		ctrl = append(ctrl, p)
	}
	ctrl = append(ctrl, b)

	ls := orb.LineString{round6(a)}
	for i := 1; i < len(ctrl); i++ {
		p, q := ctrl[i-1], ctrl[i]
		m := int(distM(p, q) / 2000)
		qx, qy := dirM(p, q)
		for j := 1; j < m; j++ {
			t := float64(j) / float64(m)
			base := orb.Point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
			v := base
			for range 10 {
				o := r.NormFloat64() * 250
				if c := offset(base, -qy*o, qx*o); inside(c) {
					v = c
					break
				}
			}
			ls = append(ls, round6(v))
		}
		ls = append(ls, round6(q))
	}
	return ls
}

// roadPos is a position on the road network.
type roadPos struct {
	road int       // index into world.roads
	d    float64   // metres from the road's start (its stake)
	pt   orb.Point // the point, offset sideways from the centre line
}

// sampleRoad draws a position on the network (roads weighted by length)
// offset up to maxOff metres sideways, inside Lishui and accepted by keep
// (nil keeps everything).
func (w *world) sampleRoad(r *rnd, maxOff float64, keep func(orb.Point) bool) roadPos {
	lengths := make([]float64, len(w.roads))
	for i := range w.roads {
		lengths[i] = w.roads[i].path.length()
	}
	pick := newCumPicker(lengths)
	for {
		ri := pick.pick(r)
		p := w.roads[ri].path
		d := r.Float64() * p.length()
		c, ux, uy := p.at(d)
		o := r.between(-maxOff, maxOff)
		pt := round6(offset(c, -uy*o, ux*o))
		if w.countyAt(pt) >= 0 && (keep == nil || keep(pt)) {
			return roadPos{road: ri, d: d, pt: pt}
		}
	}
}

// stake formats a distance along a road as a stake, e.g. K12+345.
func stake(m float64) string {
	x := int(math.Round(m))
	return fmt.Sprintf("K%d+%03d", x/1000, x%1000)
}
