package demo

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"riskmap/geo"
)

// blackSpotClasses is indexed by geo.Grade: the class that gives the grade
// (待认定: reported, not yet classified).
var blackSpotClasses = [5]string{"待认定", "观察", "三类", "二类", "一类"}

var blackSpotCauses = []string{"长下坡", "连续急弯", "视距不良", "平交路口", "隧道出入口", "临水临崖", "桥头跳车", "村镇过境段", "路面湿滑"}

// blackSpots generates NumBlackSpots accident black spots on the road
// network, mostly on the mountain roads away from the city.
func (w *world) blackSpots() []geo.Object {
	r := newRnd(streamBlackSpots)
	city := w.centres[w.seatCentre[w.countyIndex("331102")]].pt
	rural := func(p orb.Point) bool { return distM(p, city) > 8000 || r.chance(0.1) }

	pos := make([]roadPos, NumBlackSpots)
	for i := range pos {
		pos[i] = w.sampleRoad(r, 15, rural)
	}
	slices.SortStableFunc(pos, func(a, b roadPos) int {
		return cmp.Or(cmp.Compare(a.road, b.road), cmp.Compare(a.d, b.d))
	})
	grades := r.gradeQuota(NumBlackSpots, [5]float64{0.08, 0.56, 0.26, 0.08, 0.02})

	out := make([]geo.Object, 0, NumBlackSpots)
	for i, p := range pos {
		rd := &w.roads[p.road]
		g := grades[i]
		class := blackSpotClasses[g]

		var fatal, injury int
		switch g {
		case geo.Red: // ≥6 fatal accidents in 3 years
			fatal, injury = r.intIn(6, 8), r.intIn(3, 12)
		case geo.Orange: // 3–5 fatal accidents
			fatal, injury = r.intIn(3, 5), r.intIn(1, 8)
		case geo.Yellow: // 1–2 fatal, or 3–5 casualty accidents
			if r.chance(0.6) {
				fatal = r.intIn(1, 2)
				injury = r.intIn(0, 5-fatal)
			} else {
				injury = r.intIn(3, 5)
			}
		case geo.Blue: // watch list: below the thresholds
			injury = r.intIn(0, 2)
		default: // reported, not yet classified
			injury = r.intIn(1, 4)
		}
		total := fatal + injury + r.intIn(2, 20)
		deaths := fatal
		for range fatal {
			if r.chance(0.25) {
				deaths += r.intIn(1, 2)
			}
		}

		spotType, length := "点", 0
		name := fmt.Sprintf("%s %s 事故多发点段", rd.short, stake(p.d))
		if r.chance(0.3) {
			spotType, length = "段", r.intIn(10, 40)*50
			name = fmt.Sprintf("%s %s—%s 事故多发点段", rd.short, stake(p.d), stake(p.d+float64(length)))
		}
		var status string
		switch g {
		case geo.Red, geo.Orange:
			status = pickCum(r.Float64(), []float64{0.3, 0.8}, []string{"待治理", "治理中"}, "已治理")
		case geo.Unassessed:
			status = "待治理"
		default:
			status = pickCum(r.Float64(), []float64{0.35, 0.65}, []string{"待治理", "治理中"}, "已治理")
		}
		attrs := map[string]any{
			"road":             rd.name,
			"route_code":       rd.code,
			"stake_km":         round(p.d/1000, 3),
			"spot_type":        spotType,
			"class":            class,
			"n_accidents_3y":   total,
			"n_fatal_3y":       fatal,
			"n_injury_3y":      injury,
			"n_deaths_3y":      deaths,
			"main_cause":       pick(r, blackSpotCauses),
			"treatment_status": status,
		}
		if length > 0 {
			attrs["length_m"] = length
		}
		o := geo.Object{
			Category:   geo.BlackSpots,
			Name:       name,
			Point:      p.pt,
			County:     w.countyCode(p.pt),
			Source:     Source,
			SourceID:   fmt.Sprintf("bs-%06d", i+1),
			Attributes: attrs,
		}
		if g != geo.Unassessed {
			score := float64(total)
			o.Grade, o.Score, o.Method, o.AssessedAt = g, &score, MethodBlackSpot, r.assessedAt()
		}
		out = append(out, o)
	}
	return out
}
