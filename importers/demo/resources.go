package demo

import (
	"fmt"
	"math"

	"riskmap/geo"
)

// resSpec describes one rescue resource to place.
type resSpec struct {
	centre   int    // index into world.centres
	name     string // full name
	org      string // organisation it belongs to
	teamType string
	kind     string     // team, material_depot or facility
	head     [2]int     // headcount range
	duty     [2]float64 // on-duty share range
	prep     [2]int     // mobilisation time range, minutes
}

// resTemplate is a resSpec with the name as a suffix to the place name.
type resTemplate struct {
	suffix, teamType, kind string
	head                   [2]int
	duty                   [2]float64
	prep                   [2]int
}

var (
	fireStation = resTemplate{"消防救援站", "消防救援", "team", [2]int{20, 45}, [2]float64{0.6, 0.85}, [2]int{1, 1}}
	seatRes     = []resTemplate{
		{"森林消防专业队", "森林消防", "team", [2]int{25, 60}, [2]float64{0.3, 0.6}, [2]int{10, 20}},
		{"危化品应急救援队", "危化品救援", "team", [2]int{12, 30}, [2]float64{0.3, 0.6}, [2]int{5, 15}},
		{"矿山救护队", "矿山救护", "team", [2]int{12, 25}, [2]float64{0.3, 0.6}, [2]int{5, 15}},
		{"水域救援队", "水域救援", "team", [2]int{10, 30}, [2]float64{0.3, 0.6}, [2]int{5, 15}},
		{"地质灾害应急救援队", "地质灾害", "team", [2]int{8, 20}, [2]float64{0.2, 0.5}, [2]int{15, 30}},
		{"急救中心", "医疗急救", "facility", [2]int{20, 60}, [2]float64{0.3, 0.5}, [2]int{1, 3}},
		{"人民医院急救站", "医疗急救", "facility", [2]int{10, 30}, [2]float64{0.3, 0.5}, [2]int{1, 3}},
		{"蓝天救援队", "社会应急力量", "team", [2]int{30, 120}, [2]float64{0.05, 0.2}, [2]int{30, 60}},
		{"红十字应急救护队", "社会应急力量", "team", [2]int{20, 80}, [2]float64{0.05, 0.2}, [2]int{30, 60}},
		{"防汛物资仓库", "物资储备库", "material_depot", [2]int{2, 8}, [2]float64{0.3, 0.6}, [2]int{20, 40}},
		{"救灾物资储备库", "物资储备库", "material_depot", [2]int{2, 8}, [2]float64{0.3, 0.6}, [2]int{20, 40}},
		{"森林防火物资储备库", "物资储备库", "material_depot", [2]int{2, 6}, [2]float64{0.3, 0.6}, [2]int{20, 40}},
		{"电力应急抢修队", "电力抢修", "team", [2]int{15, 40}, [2]float64{0.2, 0.5}, [2]int{10, 30}},
		{"通信应急保障队", "通信保障", "team", [2]int{8, 20}, [2]float64{0.2, 0.5}, [2]int{10, 30}},
		{"公路应急抢通队", "交通抢通", "team", [2]int{15, 40}, [2]float64{0.2, 0.5}, [2]int{15, 40}},
		{"民兵应急连", "民兵", "team", [2]int{30, 100}, [2]float64{0.05, 0.2}, [2]int{30, 90}},
	}
	// cityRes are the city-level resources at the city seat.
	cityRes = []resTemplate{
		{"消防救援支队特勤站", "消防救援", "team", [2]int{40, 60}, [2]float64{0.6, 0.85}, [2]int{1, 1}},
		{"消防救援支队战勤保障站", "消防救援", "team", [2]int{20, 35}, [2]float64{0.5, 0.8}, [2]int{3, 5}},
		{"综合森林火灾扑救第一支队", "森林消防", "team", [2]int{40, 80}, [2]float64{0.4, 0.7}, [2]int{5, 15}},
		{"综合森林火灾扑救第二支队", "森林消防", "team", [2]int{40, 80}, [2]float64{0.4, 0.7}, [2]int{5, 15}},
		{"危化品应急救援队", "危化品救援", "team", [2]int{20, 40}, [2]float64{0.4, 0.7}, [2]int{5, 10}},
		{"矿山救护大队", "矿山救护", "team", [2]int{25, 45}, [2]float64{0.4, 0.7}, [2]int{5, 10}},
		{"水域救援队", "水域救援", "team", [2]int{20, 40}, [2]float64{0.4, 0.7}, [2]int{5, 10}},
		{"地质灾害应急救援队", "地质灾害", "team", [2]int{15, 30}, [2]float64{0.3, 0.6}, [2]int{10, 20}},
		{"急救中心", "医疗急救", "facility", [2]int{40, 90}, [2]float64{0.3, 0.5}, [2]int{1, 3}},
		{"防汛物资仓库", "物资储备库", "material_depot", [2]int{4, 10}, [2]float64{0.3, 0.6}, [2]int{20, 40}},
		{"救灾物资储备库", "物资储备库", "material_depot", [2]int{4, 10}, [2]float64{0.3, 0.6}, [2]int{20, 40}},
		{"蓝天救援队", "社会应急力量", "team", [2]int{60, 150}, [2]float64{0.05, 0.2}, [2]int{30, 60}},
		{"公羊救援队", "社会应急力量", "team", [2]int{40, 100}, [2]float64{0.05, 0.2}, [2]int{30, 60}},
	}
	// townRes are at every town; townExtra at some.
	townRes = []resTemplate{
		{"应急救援队", "基层应急队伍", "team", [2]int{15, 40}, [2]float64{0.1, 0.3}, [2]int{15, 30}},
		{"应急物资储备点", "物资储备库", "material_depot", [2]int{1, 3}, [2]float64{0.3, 1}, [2]int{20, 40}},
	}
	townExtra = []resTemplate{
		{"专职消防队", "消防救援", "team", [2]int{8, 20}, [2]float64{0.5, 0.8}, [2]int{1, 3}},
		{"森林消防半专业队", "森林消防", "team", [2]int{10, 25}, [2]float64{0.2, 0.5}, [2]int{15, 30}},
		{"卫生院急救点", "医疗急救", "facility", [2]int{4, 10}, [2]float64{0.3, 0.6}, [2]int{3, 10}},
		{"水上救援队", "水域救援", "team", [2]int{8, 20}, [2]float64{0.2, 0.5}, [2]int{10, 20}},
		{"地质灾害群测群防队", "地质灾害", "team", [2]int{10, 30}, [2]float64{0.1, 0.3}, [2]int{15, 30}},
	}
)

var fireStationNames = []string{"城东", "城西", "城南", "城北", "开发区"}

func (t resTemplate) spec(centre int, place, org string) resSpec {
	return resSpec{centre: centre, name: place + t.suffix, org: org, teamType: t.teamType, kind: t.kind, head: t.head, duty: t.duty, prep: t.prep}
}

// rescueResources generates NumRescueResources teams, depots and
// facilities: a full set at every county seat, the city's own at 莲都, a
// township team and depot in every town, and extra town teams drawn at
// random to make up the number. Their grade is a site-safety check of the
// base.
func (w *world) rescueResources() []geo.Object {
	r := newRnd(streamResources)

	var specs []resSpec
	for ci := range w.counties {
		c := &w.counties[ci]
		si := w.seatCentre[ci]
		if c.code == "331102" {
			for _, t := range cityRes {
				specs = append(specs, t.spec(si, "丽水市", "丽水市应急管理局"))
			}
		}
		brigade := c.name + "消防救援大队"
		for _, x := range fireStationNames[:3] {
			specs = append(specs, fireStation.spec(si, brigade+x, brigade))
		}
		for _, t := range seatRes {
			specs = append(specs, t.spec(si, c.name, c.name+"应急管理局"))
		}
	}
	var extras []resSpec
	for i := range w.centres {
		c := &w.centres[i]
		if c.kind.isSeat() {
			continue
		}
		org := c.name + "人民政府"
		for _, t := range townRes {
			specs = append(specs, t.spec(i, c.name, org))
		}
		for _, t := range townExtra {
			if (t.teamType == "消防救援" && c.kind == kindTownship) || (t.teamType == "水域救援" && !c.nearRiver) {
				continue
			}
			extras = append(extras, t.spec(i, c.name, org))
		}
	}
	r.Shuffle(len(extras), func(i, j int) { extras[i], extras[j] = extras[j], extras[i] })
	specs = append(specs, extras[:max(0, NumRescueResources-len(specs))]...)
	specs = specs[:NumRescueResources]

	grades := r.gradeQuota(len(specs), [5]float64{0.10, 0.64, 0.20, 0.05, 0.01})
	names := nameSet{}
	out := make([]geo.Object, 0, len(specs))
	for i, s := range specs {
		c := &w.centres[s.centre]
		pt := w.placeNear(r, c, r.disk(500))
		county := w.countyCode(pt)
		head := r.intIn(s.head[0], s.head[1])
		onDuty := min(head, max(1, int(math.Round(float64(head)*r.between(s.duty[0], s.duty[1])))))
		town := c.townName(r)
		status := pickCum(r.Float64(), []float64{0.85, 0.95}, []string{"available", "standby"}, "out_of_service")
		if s.kind == "material_depot" && status == "standby" {
			status = "available"
		}
		attrs := map[string]any{
			"team_type":         s.teamType,
			"kind":              s.kind,
			"organisation":      s.org,
			"headcount":         head,
			"personnel_total":   head,
			"personnel_on_duty": onDuty,
			"prep_time_min":     r.intIn(s.prep[0], s.prep[1]),
			"status":            status,
			"phone":             r.phone(county),
			"township":          town,
			"address":           fmt.Sprintf("浙江省丽水市%s%s%s%d号", w.counties[c.county].name, town, pick(r, streetNames), r.intIn(1, 299)),
		}
		o := geo.Object{
			Category:   geo.RescueResources,
			Name:       names.unique(s.name, func(n int) string { return cnNumber(n) + "分部" }),
			Point:      pt,
			County:     county,
			Source:     Source,
			SourceID:   fmt.Sprintf("res-%06d", i+1),
			Attributes: attrs,
		}
		o.Grade = grades[i]
		o.Score, o.Method, o.AssessedAt = r.siteSafety(o.Grade)
		out = append(out, o)
	}
	return out
}
