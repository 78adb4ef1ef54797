package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Locator finds the division that contains a point, fast enough for
// millions of points: a grid over the divisions' extent remembers which
// cells lie wholly inside one division, so most points need no polygon
// test at all.
type Locator struct {
	divs   []Division
	bounds []orb.Bound
	rings  [][]ring // per division: its rings, with their bounds
	all    orb.Bound
	nx, ny int
	cw, ch float64
	cells  []int16 // division index + 1; 0 = no division; -1 = mixed (test polygons)
}

// gridCells is the grid's resolution along its longer side.
const gridCells = 256

// NewLocator indexes divs. Where divisions overlap (a township inside its
// county), the first in divs that holds a point is the one Locate gives:
// pass them the deepest first. It returns nil when divs is empty.
func NewLocator(divs []Division) *Locator {
	if len(divs) == 0 {
		return nil
	}
	l := &Locator{divs: divs, bounds: make([]orb.Bound, len(divs)), rings: make([][]ring, len(divs))}
	for i, d := range divs {
		l.bounds[i] = d.Geometry.Bound()
		for _, poly := range d.Geometry {
			for _, r := range poly {
				l.rings[i] = append(l.rings[i], ring{pts: r, bound: r.Bound()})
			}
		}
		if i == 0 {
			l.all = l.bounds[i]
		} else {
			l.all = l.all.Union(l.bounds[i])
		}
	}
	w, h := l.all.Max[0]-l.all.Min[0], l.all.Max[1]-l.all.Min[1]
	side := math.Max(w, h) / gridCells
	if side == 0 {
		side = 1e-6
	}
	l.nx, l.ny = int(w/side)+1, int(h/side)+1
	l.cw, l.ch = side, side
	l.cells = make([]int16, l.nx*l.ny)
	// Cells an edge passes through are mixed; the others take the
	// division of their centre (or none).
	for _, d := range divs {
		for _, poly := range d.Geometry {
			for _, ring := range poly {
				for k := 1; k < len(ring); k++ {
					l.markEdge(ring[k-1], ring[k])
				}
			}
		}
	}
	for j := 0; j < l.ny; j++ {
		for i := 0; i < l.nx; i++ {
			c := &l.cells[j*l.nx+i]
			if *c == -1 {
				continue
			}
			ctr := orb.Point{l.all.Min[0] + (float64(i)+0.5)*l.cw, l.all.Min[1] + (float64(j)+0.5)*l.ch}
			*c = int16(l.test(ctr) + 1)
		}
	}
	return l
}

// markEdge marks the cells an edge crosses as mixed, by walking it in
// steps shorter than a cell.
func (l *Locator) markEdge(a, b orb.Point) {
	n := int(math.Ceil(math.Max(math.Abs(b[0]-a[0])/l.cw, math.Abs(b[1]-a[1])/l.ch)*2)) + 1
	for s := 0; s <= n; s++ {
		t := float64(s) / float64(n)
		p := orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
		i, j := int((p[0]-l.all.Min[0])/l.cw), int((p[1]-l.all.Min[1])/l.ch)
		for dj := -1; dj <= 1; dj++ { // and their neighbours, for safety at cell corners
			for di := -1; di <= 1; di++ {
				if ii, jj := i+di, j+dj; ii >= 0 && jj >= 0 && ii < l.nx && jj < l.ny {
					l.cells[jj*l.nx+ii] = -1
				}
			}
		}
	}
}

// ring is a polygon ring with its bounds computed once.
type ring struct {
	pts   orb.Ring
	bound orb.Bound
}

// test is the exact lookup: the index of the division containing p, or -1.
// A point is inside when it is inside an odd number of its rings (outer
// rings and holes alike), by ray casting.
func (l *Locator) test(p orb.Point) int {
	for i := range l.divs {
		if !l.bounds[i].Contains(p) {
			continue
		}
		inside := false
		for _, r := range l.rings[i] {
			if r.bound.Contains(p) && rayCast(r.pts, p) {
				inside = !inside
			}
		}
		if inside {
			return i
		}
	}
	return -1
}

// rayCast reports whether p is inside ring r (even-odd rule).
func rayCast(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// Locate returns the division containing p and true, or false when p lies
// in none.
func (l *Locator) Locate(p orb.Point) (Division, bool) {
	if !l.all.Contains(p) {
		return Division{}, false
	}
	i, j := int((p[0]-l.all.Min[0])/l.cw), int((p[1]-l.all.Min[1])/l.ch)
	k := -1
	if i < l.nx && j < l.ny {
		switch c := l.cells[j*l.nx+i]; {
		case c > 0:
			k = int(c) - 1
		case c == -1:
			k = l.test(p)
		}
	}
	if k < 0 {
		return Division{}, false
	}
	return l.divs[k], true
}

// Nearest returns the division whose boundary is nearest to p and the
// distance to it in metres (approximate: planar on a local scale, good to
// a few per cent for the short distances it is used for). Of divisions
// within nearTie of the nearest (a county and its city share a border,
// drawn a little apart), the first in the Locator's order wins.
func (l *Locator) Nearest(p orb.Point) (Division, float64) {
	dists := make([]float64, len(l.divs))
	bestD := math.Inf(1)
	kx := 111320 * math.Cos(p[1]*math.Pi/180)
	for i, d := range l.divs {
		dists[i] = math.Inf(1)
		for _, poly := range d.Geometry {
			for _, ring := range poly {
				for k := 1; k < len(ring); k++ {
					a := orb.Point{(ring[k-1][0] - p[0]) * kx, (ring[k-1][1] - p[1]) * 110540}
					b := orb.Point{(ring[k][0] - p[0]) * kx, (ring[k][1] - p[1]) * 110540}
					dists[i] = math.Min(dists[i], segDist(a, b))
				}
			}
		}
		bestD = math.Min(bestD, dists[i])
	}
	for i, d := range dists {
		if d <= bestD+nearTie {
			return l.divs[i], d
		}
	}
	return l.divs[0], bestD
}

// nearTie is how much farther than the nearest a division may be and
// still count as as near (metres).
const nearTie = 100

// segDist is the distance from the origin to segment ab.
func segDist(a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(a[0]*dx+a[1]*dy)/l2))
	}
	x, y := a[0]+t*dx, a[1]+t*dy
	return math.Hypot(x, y)
}

// Bound is the extent of all divisions.
func (l *Locator) Bound() orb.Bound { return l.all }
