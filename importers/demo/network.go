package demo

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"riskmap/geo"
)

// network is the routable road network, and the roads to the towns as
// context features for the background map: the trunk roads between the
// seats, and a road from every other centre (town, township, street) to
// the nearest point already on the network, drawn with the same wiggle
// as the trunk roads so that a road is longer than the straight line, as
// in the mountains. Every road is cut at each of its vertices into
// edges, so that roads join where they meet. It is a tree on the trunk
// network's loops: every centre reaches every other.
func (w *world) network() ([]geo.Road, []geo.ContextFeature) {
	r := newRnd(streamNetwork)
	var out []geo.Road
	var nodes []orb.Point // every vertex on the network so far
	var links []geo.ContextFeature
	add := func(id, name, class string, ls orb.LineString) {
		for i := 1; i < len(ls); i++ {
			if ls[i-1] == ls[i] {
				continue
			}
			out = append(out, geo.Road{SourceID: fmt.Sprintf("%s-%03d", id, i), Name: name, Class: class,
				Line: orb.LineString{ls[i-1], ls[i]}})
		}
		nodes = append(nodes, ls...)
	}
	for _, rd := range w.roads {
		class := "provincial"
		if rd.code[0] == 'G' {
			class = "national"
		}
		add(rd.id, rd.code+" "+rd.name, class, rd.path.ls)
	}
	var todo []int
	for i, c := range w.centres {
		if !c.kind.isSeat() {
			todo = append(todo, i)
		}
	}
	// Nearest first, so that a far centre can join a nearer one's road.
	for len(todo) > 0 {
		best, bestD, bestNode := -1, 0.0, orb.Point{}
		for k, i := range todo {
			pt := round6(w.centres[i].pt)
			for _, n := range nodes {
				if d := distM(pt, n); best < 0 || d < bestD {
					best, bestD, bestNode = k, d, n
				}
			}
		}
		i := todo[best]
		todo = slices.Delete(todo, best, best+1)
		c := w.centres[i]
		pt := round6(c.pt)
		if bestD < 50 {
			continue // on the network already
		}
		class := "county"
		if c.kind == kindTownship {
			class = "township"
		}
		ls := w.roadLine(r, pt, bestNode)
		ls[0], ls[len(ls)-1] = pt, bestNode
		id := fmt.Sprintf("link-%03d", i)
		add(id, c.short+"连接线", class, ls)
		links = append(links, geo.ContextFeature{Kind: "road", Name: c.short + "连接线", SourceID: id, Geometry: orb.Clone(ls)})
	}
	slices.SortStableFunc(out, func(a, b geo.Road) int { return cmp.Compare(a.SourceID, b.SourceID) })
	return out, links
}
