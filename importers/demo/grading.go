package demo

import (
	"time"

	"riskmap/geo"
)

// LEC factor tables (domain.md §1.2.1), each value with a prior weight that
// makes the common, unremarkable combinations more likely.
var (
	lecL = []factor{{10, 1}, {6, 2}, {3, 4}, {1, 4}, {0.5, 2}, {0.2, 1}, {0.1, 0.5}}
	lecE = []factor{{10, 1}, {6, 4}, {3, 3}, {2, 2}, {1, 2}, {0.5, 1}}
	lecC = []factor{{100, 0.3}, {40, 1}, {15, 3}, {7, 4}, {3, 4}, {1, 2}}
)

type factor struct{ v, w float64 }

// lecD returns D = L×E×C, rounded to 2 decimals to hide float noise
// (0.1 and 0.2 are not exact in binary).
func lecD(l, e, c float64) float64 { return round(l*e*c, 2) }

// lecGrade is the four-colour grade of an LEC D value under preset A
// (MethodLEC): red D>320, orange 160<D≤320, yellow 70<D≤160, blue D≤70.
func lecGrade(d float64) geo.Grade {
	switch {
	case d > 320:
		return geo.Red
	case d > 160:
		return geo.Orange
	case d > 70:
		return geo.Yellow
	}
	return geo.Blue
}

type lecCombo struct{ l, e, c, w float64 }

// lecCombos lists, per grade, the factor combinations whose D falls in the
// grade's band, for consequences C ≤ maxC.
func lecCombos(maxC float64) [5][]lecCombo {
	var out [5][]lecCombo
	for _, l := range lecL {
		for _, e := range lecE {
			for _, c := range lecC {
				if c.v > maxC {
					continue
				}
				g := lecGrade(lecD(l.v, e.v, c.v))
				out[g] = append(out[g], lecCombo{l.v, e.v, c.v, l.w * e.w * c.w})
			}
		}
	}
	return out
}

// pickLEC picks an (L, E, C) combination in grade g's band.
func (r *rnd) pickLEC(combos [5][]lecCombo, g geo.Grade) lecCombo {
	cs := combos[g]
	w := make([]float64, len(cs))
	for i, c := range cs {
		w[i] = c.w
	}
	return cs[r.weighted(w)]
}

// bridgeGrade is the four-colour grade of a JTG/T H21-2011 technical class
// (MethodBridge): 1–2 blue, 3 yellow, 4 orange, 5 red; anything else is
// unassessed.
func bridgeGrade(techClass int) geo.Grade {
	switch techClass {
	case 1, 2:
		return geo.Blue
	case 3:
		return geo.Yellow
	case 4:
		return geo.Orange
	case 5:
		return geo.Red
	}
	return geo.Unassessed
}

// bridgeClass is the technical class of a Dr score: Dr≥95 1类, 80≤Dr<95
// 2类, 60≤Dr<80 3类, 40≤Dr<60 4类, Dr<40 5类.
func bridgeClass(dr float64) int {
	switch {
	case dr >= 95:
		return 1
	case dr >= 80:
		return 2
	case dr >= 60:
		return 3
	case dr >= 40:
		return 4
	}
	return 5
}

// drBand is the [lo, hi) Dr range of each technical class 1–5 (5类 drawn
// from 20).
var drBand = [6][2]float64{{}, {95, 100.05}, {80, 95}, {60, 80}, {40, 60}, {20, 40}}

// drScore draws a Dr score (1 decimal) in the band of class tc.
func (r *rnd) drScore(tc int) float64 {
	b := drBand[tc]
	return round(r.between(b[0], b[1]-0.05), 1)
}

// blackSpotGrade is the colour of a black-spot class (MethodBlackSpot):
// 一类 red, 二类 orange, 三类 yellow, 观察 blue; anything else unassessed.
func blackSpotGrade(class string) geo.Grade {
	switch class {
	case "一类":
		return geo.Red
	case "二类":
		return geo.Orange
	case "三类":
		return geo.Yellow
	case "观察":
		return geo.Blue
	}
	return geo.Unassessed
}

// siteSafetyGrade is the colour of a 100-point site-safety score
// (MethodSiteSafety, the bands of the 危化 diagnostic in domain.md §1.2.6):
// ≥90 blue, 75–90 yellow, 60–75 orange, <60 red.
func siteSafetyGrade(score float64) geo.Grade {
	switch {
	case score >= 90:
		return geo.Blue
	case score >= 75:
		return geo.Yellow
	case score >= 60:
		return geo.Orange
	}
	return geo.Red
}

var siteBand = [5][2]float64{{}, {90, 100.05}, {75, 90}, {60, 75}, {42, 60}}

// siteSafety draws a site-safety assessment of grade g: a score in the
// grade's band and a date, or nothing when g is Unassessed.
func (r *rnd) siteSafety(g geo.Grade) (score *float64, method string, at *time.Time) {
	if g == geo.Unassessed {
		return nil, "", nil
	}
	b := siteBand[g]
	s := round(r.between(b[0], b[1]-0.05), 1)
	return &s, MethodSiteSafety, r.assessedAt()
}

// cnNumber writes 1–99 in Chinese numerals: 1 一, 10 十, 12 十二, 20 二十.
func cnNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	}
	return digits[(n/10)%10] + "十" + digits[n%10]
}
