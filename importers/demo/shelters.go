package demo

import (
	"fmt"
	"math"

	"riskmap/geo"
)

// shelterSpec is one shelter to place.
type shelterSpec struct {
	centre int
	town   string // township-level name (a seat's 街道 at seats)
	name   string
	tier   string // county_center, township_center or village_point
	host   string // host facility type
}

// Shelter tiers (浙江 避灾安置场所) with their minimum capacities.
const (
	tierCounty   = "county_center"   // 县级避灾中心, ≥200 persons
	tierTownship = "township_center" // 乡级避灾中心, ≥100 persons
	tierVillage  = "village_point"   // 村级避灾点, ≥50 persons
)

// shelterCapacity is the capacity range per tier.
var shelterCapacity = map[string][2]int{tierCounty: {200, 1500}, tierTownship: {100, 500}, tierVillage: {50, 200}}

var (
	countyHosts   = [][2]string{{"体育馆", "体育馆"}, {"学校", "第一中学"}, {"学校", "实验中学"}, {"文化中心", "文化中心"}, {"体育馆", "全民健身中心"}}
	townshipHosts = [][2]string{{"学校", "中心小学"}, {"学校", "初级中学"}, {"敬老院", "敬老院"}, {"文化站", "综合文化站"}, {"体育馆", "体育馆"}}
	villageHosts  = []string{"文化礼堂", "文化礼堂", "文化礼堂", "文化礼堂", "村委会", "村委会", "小学", "老年活动中心", "老年活动中心", "祠堂"}
)

// shelters generates NumShelters shelters: county centres at the seats,
// township centres at every town and seat 街道, and village points around
// towns and seats (counties weighted by population, seats ×3). Centres
// stand within 800 m of their town's seat; village points are spread over
// the villages around it, up to 5 km away. Their grade is a site-safety
// check.
func (w *world) shelters() []geo.Object {
	r := newRnd(streamShelters)
	names := nameSet{}
	var specs []shelterSpec
	add := func(s shelterSpec) {
		s.name = names.unique(s.name, cnNumber)
		specs = append(specs, s)
	}

	for ci := range w.counties {
		c := &w.counties[ci]
		n := 2
		if c.code == "331102" || c.code == "331121" || c.code == "331122" {
			n = 3
		}
		hosts := append([][2]string(nil), countyHosts...)
		r.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })
		si := w.seatCentre[ci]
		for _, h := range hosts[:n] {
			add(shelterSpec{centre: si, town: w.centres[si].townName(r), name: c.name + h[1] + "避灾安置中心", tier: tierCounty, host: h[0]})
		}
	}
	for i := range w.centres {
		c := &w.centres[i]
		towns := []string{c.name}
		if c.kind.isSeat() {
			towns = c.streets
		}
		for _, t := range towns {
			add(shelterSpec{centre: i, town: t, name: t + "避灾安置中心", tier: tierTownship, host: pick(r, townshipHosts)[0]})
			if c.kind == kindTown || c.kind == kindStreet || (c.kind.isSeat() && r.chance(0.5)) {
				h := pick(r, townshipHosts)
				add(shelterSpec{centre: i, town: t, name: t + h[1] + "避灾安置中心", tier: tierTownship, host: h[0]})
			}
		}
	}

	// Village points: counties by population, then seats ×3, towns ×1.
	var popSum float64
	for _, c := range w.counties {
		popSum += float64(c.pop)
	}
	cw := make([]float64, len(w.centres))
	for ci, c := range w.counties {
		idx := w.centresOf(ci)
		var sum float64
		for _, i := range idx {
			x := 1.0
			if w.centres[i].kind.isSeat() {
				x = 3
			}
			cw[i] = x
			sum += x
		}
		for _, i := range idx {
			cw[i] *= float64(c.pop) / popSum / sum
		}
	}
	pickCentre := newCumPicker(cw)
	for len(specs) < NumShelters {
		i := pickCentre.pick(r)
		c := &w.centres[i]
		town := c.townName(r)
		var name string
		for try := 0; ; try++ {
			name = town + r.villageName() + "避灾点"
			if !names[name] || try >= 20 {
				break
			}
		}
		add(shelterSpec{centre: i, town: town, name: name, tier: tierVillage, host: pick(r, villageHosts)})
	}

	grades := r.gradeQuota(len(specs), [5]float64{0.10, 0.66, 0.18, 0.05, 0.01})
	out := make([]geo.Object, 0, len(specs))
	for i, s := range specs {
		c := &w.centres[s.centre]
		radius := 800.0
		if s.tier == tierVillage {
			radius = 5000
		}
		pt := w.placeNear(r, c, r.disk(radius))
		county := w.countyCode(pt)
		cr := shelterCapacity[s.tier]
		capacity := r.intIn(cr[0]/5, cr[1]/5) * 5
		area := int(math.Ceil(float64(capacity) * r.between(2, 4.5)))
		var form string
		switch s.tier {
		case tierCounty:
			form = pickCum(r.Float64(), []float64{0.5, 0.9}, []string{"indoor", "mixed"}, "outdoor")
		case tierTownship:
			form = pickCum(r.Float64(), []float64{0.6, 0.9}, []string{"indoor", "mixed"}, "outdoor")
		default:
			form = pickCum(r.Float64(), []float64{0.85, 0.95}, []string{"indoor", "mixed"}, "outdoor")
		}
		attrs := map[string]any{
			"tier":              s.tier,
			"capacity_persons":  capacity,
			"effective_area_m2": area,
			"form":              form,
			"host_facility":     s.host,
			"status":            pickCum(r.Float64(), []float64{0.9, 0.97}, []string{"ready", "maintenance"}, "closed"),
			"manager":           r.personName(),
			"phone":             r.phone(county),
			"township":          s.town,
			"address":           fmt.Sprintf("浙江省丽水市%s%s", w.counties[c.county].name, s.town),
		}
		o := geo.Object{
			Category:   geo.Shelters,
			Name:       s.name,
			Point:      pt,
			County:     county,
			Source:     Source,
			SourceID:   fmt.Sprintf("shl-%06d", i+1),
			Attributes: attrs,
		}
		o.Grade = grades[i]
		o.Score, o.Method, o.AssessedAt = r.siteSafety(o.Grade)
		out = append(out, o)
	}
	return out
}
