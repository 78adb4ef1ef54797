package demo

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"riskmap/geo"
)

// numRiverBridges of the NumBridges cross the Ou river; the rest are on the
// roads between the seats.
const numRiverBridges = 120

// Size classes (JTG D60-2015), in ascending order.
var sizeClasses = []string{"涵洞", "小桥", "中桥", "大桥", "特大桥"}

// bridgeSize returns the size class of a bridge of total length l and
// largest span lk (metres): the larger of the two criteria.
func bridgeSize(l, lk float64) string {
	byL := 0
	switch {
	case l > 1000:
		byL = 4
	case l >= 100:
		byL = 3
	case l > 30:
		byL = 2
	case l >= 8:
		byL = 1
	}
	byLk := 0
	switch {
	case lk > 150:
		byLk = 4
	case lk >= 40:
		byLk = 3
	case lk >= 20:
		byLk = 2
	case lk >= 5:
		byLk = 1
	}
	return sizeClasses[max(byL, byLk)]
}

// bridgeDims draws the total length and largest span of a bridge of the
// given size class (1 小桥 … 4 特大桥) so that bridgeSize agrees.
func (r *rnd) bridgeDims(size int) (l, lk float64) {
	switch size {
	case 1:
		l = round(r.between(8, 30), 1)
		lk = round(r.between(5, min(l, 16)), 1)
	case 2:
		l = round(r.between(30.5, 99.4), 1)
		lk = round(r.between(8, min(l, 39)), 1)
	case 3:
		l = round(100*math.Pow(9.5, r.Float64()), 1)
		lk = round(r.between(16, min(l/2, 150)), 1)
	default:
		l = round(r.between(1000.5, 1800), 1)
		lk = round(r.between(30, 150), 1)
	}
	return l, lk
}

// bridgePlace is where a bridge is, before it is numbered and graded.
type bridgePlace struct {
	roadPos
	river bool
}

// bridges generates NumBridges bridges graded by technical class.
func (w *world) bridges() []geo.Object {
	r := newRnd(streamBridges)

	// Places: bridges on roads, sorted by road and stake so that their
	// numbers run along the road, then the Ou river bridges in order along
	// the river.
	var places []bridgePlace
	for range NumBridges - numRiverBridges {
		places = append(places, bridgePlace{roadPos: w.sampleRoad(r, 40, nil)})
	}
	slices.SortStableFunc(places, func(a, b bridgePlace) int {
		return cmp.Or(cmp.Compare(a.road, b.road), cmp.Compare(a.d, b.d))
	})
	river := newPath(w.river)
	var riverPlaces []bridgePlace
	for len(riverPlaces) < numRiverBridges {
		d := r.Float64() * river.length()
		c, ux, uy := river.at(d)
		o := r.between(-30, 30)
		pt := round6(offset(c, -uy*o, ux*o))
		if w.countyAt(pt) >= 0 {
			riverPlaces = append(riverPlaces, bridgePlace{roadPos: roadPos{road: -1, d: d, pt: pt}, river: true})
		}
	}
	slices.SortStableFunc(riverPlaces, func(a, b bridgePlace) int { return cmp.Compare(a.d, b.d) })
	places = append(places, riverPlaces...)

	// Technical classes with exact proportions: 0 = never inspected (new
	// bridges awaiting their first periodic inspection), then 1类 … 5类.
	classes := r.quota(NumBridges, []float64{0.045, 0.29, 0.45, 0.15, 0.05, 0.015})

	roadNo := make([]int, len(w.roads))
	riverNames := map[string]int{}
	usedNames := nameSet{}
	out := make([]geo.Object, 0, NumBridges)
	for i, p := range places {
		tc := classes[i]
		county := w.countyCode(p.pt)
		cty := &w.counties[w.countyIndex(county)]

		var size int
		if p.river {
			size = 2 + r.weighted([]float64{0.15, 0.83, 0.02})
		} else {
			size = 1 + r.weighted([]float64{0.5, 0.33, 0.165, 0.005})
		}
		l, lk := r.bridgeDims(size)
		sizeName := bridgeSize(l, lk)

		var structure string
		switch size {
		case 1:
			structure = pick(r, []string{"梁式桥", "梁式桥", "梁式桥", "拱桥"})
		case 2:
			structure = pick(r, []string{"梁式桥", "梁式桥", "梁式桥", "梁式桥", "梁式桥", "梁式桥", "梁式桥", "拱桥", "拱桥", "刚构桥"})
		case 3:
			structure = pick(r, []string{"梁式桥", "梁式桥", "梁式桥", "梁式桥", "拱桥", "刚构桥", "刚构桥", "斜拉桥"})
		default:
			structure = pick(r, []string{"梁式桥", "刚构桥", "斜拉桥", "悬索桥"})
		}

		var name, routeCode, roadName string
		stakeKm := round(p.d/1000, 3)
		if p.river {
			routeCode = fmt.Sprintf("X%03d", r.intIn(101, 899))
			stakeKm = round(r.between(0.3, 35), 3)
			// Named after the nearest town (大桥, 二桥, 三桥), then after
			// a made-up village.
			short := w.centres[w.nearestCentre(p.pt)].short
			riverNames[short]++
			switch n := riverNames[short]; n {
			case 1:
				name = "瓯江" + short + "大桥"
			case 2, 3:
				name = "瓯江" + short + cnNumber(n) + "桥"
			default:
				for try := 0; try < 20 && (name == "" || usedNames[name]); try++ {
					name = "瓯江" + trimSuffix(r.villageName(), "村") + "大桥"
				}
			}
			name = usedNames.unique(name, func(n int) string { return cnNumber(n) + "号" })
		} else {
			rd := &w.roads[p.road]
			roadNo[p.road]++
			routeCode, roadName = rd.code, rd.name
			kind := "号桥"
			if size >= 3 {
				kind = "号大桥"
			}
			name = fmt.Sprintf("%s%d%s", rd.short, roadNo[p.road], kind)
		}

		yearRange := [][2]int{{2024, 2026}, {2008, 2023}, {1995, 2020}, {1985, 2012}, {1975, 2005}, {1968, 1998}}[tc]
		attrs := map[string]any{
			"bridge_code":      fmt.Sprintf("%s%sL%04d", routeCode, county, i+1),
			"route_code":       routeCode,
			"stake_km":         stakeKm,
			"total_length_m":   l,
			"max_span_m":       lk,
			"size_class":       sizeName,
			"structure":        structure,
			"year_built":       r.intIn(yearRange[0], yearRange[1]),
			"on_ou_river":      p.river,
			"crossing":         "河流",
			"aadt":             r.intIn(20, 250) * 100,
			"maintenance_unit": cty.name + "公路与运输管理中心",
		}
		if roadName != "" {
			attrs["road"] = roadName
			attrs["crossing"] = pick(r, []string{"河流", "河流", "河流", "山谷", "山谷", "道路"})
		}

		o := geo.Object{
			Category:   geo.Bridges,
			Name:       name,
			Point:      p.pt,
			County:     county,
			Source:     Source,
			SourceID:   fmt.Sprintf("brg-%06d", i+1),
			Attributes: attrs,
		}
		if tc > 0 {
			dr := r.drScore(tc)
			o.Grade, o.Score, o.Method, o.AssessedAt = bridgeGrade(tc), &dr, MethodBridge, r.assessedAt()
			attrs["tech_class"] = tc
			attrs["dr_score"] = dr
			attrs["last_inspection_date"] = dateOf(o.AssessedAt)
		}
		out = append(out, o)
	}
	return out
}
