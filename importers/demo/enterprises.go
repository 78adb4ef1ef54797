package demo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"riskmap/geo"
)

// industry is a line of business of the demo enterprises.
type industry struct {
	name   string             // attribute "industry"
	code   string             // GB/T 4754-2017 4-digit class
	sector string             // supervision_sector
	words  []string           // words for the enterprise name
	base   float64            // relative frequency
	county map[string]float64 // frequency multipliers by county adcode
	dust   bool               // 涉爆粉尘
	space  bool               // 有限空间作业
}

// industries reflect Lishui's actual specialities: 青田 valves, 松阳
// stainless-steel pipes, 云和 wooden toys, 缙云 sawing machines, 龙泉 celadon
// and swords, 庆元 mushrooms and bamboo, the synthetic-leather and
// semiconductor parks of 丽水经济开发区 (莲都).
var industries = []industry{
	{name: "阀门", code: "3443", sector: "工贸", words: []string{"阀门", "阀业", "流体设备"}, base: 5, county: map[string]float64{"331121": 6, "331102": 1.5}},
	{name: "不锈钢管", code: "3130", sector: "工贸", words: []string{"不锈钢", "钢管", "管业"}, base: 2, county: map[string]float64{"331124": 12, "331121": 1.5}},
	{name: "合成革", code: "2925", sector: "危化品使用", words: []string{"合成革", "新材料", "革业"}, base: 0.5, county: map[string]float64{"331102": 10}},
	{name: "化工", code: "2661", sector: "危化品生产", words: []string{"化工", "化学", "精细化工"}, base: 0.6, county: map[string]float64{"331102": 3, "331181": 1.5}},
	{name: "半导体", code: "3972", sector: "危化品使用", words: []string{"半导体", "电子", "微电子"}, base: 0.2, county: map[string]float64{"331102": 8}},
	{name: "金属表面处理", code: "3360", sector: "危化品使用", words: []string{"表面处理", "电镀", "金属表面处理"}, base: 0.5, county: map[string]float64{"331102": 2, "331121": 2}},
	{name: "化工原料批发", code: "5169", sector: "危化品经营", words: []string{"化工贸易", "化工原料"}, base: 0.4},
	{name: "加油站", code: "5265", sector: "危化品经营", words: []string{"石油", "能源", "油品"}, base: 1.2},
	{name: "烟花爆竹批发", code: "5169", sector: "烟花爆竹", words: []string{"烟花爆竹", "烟花"}, base: 0.25},
	{name: "非煤矿山", code: "1019", sector: "非煤矿山", words: []string{"矿业", "石料", "砂石"}, base: 0.6, county: map[string]float64{"331123": 2, "331122": 1.5, "331121": 1.5}},
	{name: "木制玩具", code: "2459", sector: "工贸", words: []string{"玩具", "木制玩具", "工艺品"}, base: 0.8, county: map[string]float64{"331125": 25}, dust: true},
	{name: "竹木制品", code: "2041", sector: "工贸", words: []string{"竹木", "竹业", "木业", "竹制品"}, base: 3, county: map[string]float64{"331126": 4, "331123": 2, "331181": 2, "331127": 1.5}, dust: true},
	{name: "食品", code: "1372", sector: "工贸", words: []string{"食品", "菌业", "农产品"}, base: 2, county: map[string]float64{"331126": 5, "331181": 2.5, "331127": 1.5}, space: true},
	{name: "茶叶加工", code: "1530", sector: "工贸", words: []string{"茶业", "茶叶", "生态农业"}, base: 1.5, county: map[string]float64{"331124": 6, "331127": 3, "331123": 2.5}},
	{name: "建材", code: "3021", sector: "工贸", words: []string{"建材", "混凝土", "新型建材"}, base: 3},
	{name: "汽摩配件", code: "3670", sector: "工贸", words: []string{"汽车配件", "汽摩配件", "汽车部件"}, base: 2, county: map[string]float64{"331181": 5, "331122": 3, "331102": 1.5}},
	{name: "金属切削机床", code: "3421", sector: "工贸", words: []string{"机床", "锯床", "机械"}, base: 1, county: map[string]float64{"331122": 12}},
	{name: "青瓷", code: "3074", sector: "工贸", words: []string{"青瓷", "瓷业", "陶瓷"}, base: 0.3, county: map[string]float64{"331181": 25}},
	{name: "刀剑", code: "3324", sector: "工贸", words: []string{"宝剑", "刀剑", "剑业"}, base: 0.15, county: map[string]float64{"331181": 30}},
	{name: "服装", code: "1810", sector: "工贸", words: []string{"服饰", "服装", "制衣"}, base: 2},
	{name: "纸制品", code: "2231", sector: "工贸", words: []string{"纸业", "包装", "纸品"}, base: 1, space: true},
	{name: "金属制品加工", code: "3399", sector: "小微加工", words: []string{"五金", "金属制品", "机械配件"}, base: 5},
}

// sectorGrades are the probabilities of each grade (indexed by geo.Grade:
// Unassessed, Blue, Yellow, Orange, Red) per supervision sector; the
// hazardous sectors have more red and orange and are assessed more often.
var sectorGrades = map[string][5]float64{
	"危化品生产": {0.05, 0.42, 0.33, 0.15, 0.05},
	"危化品使用": {0.07, 0.50, 0.30, 0.10, 0.03},
	"危化品经营": {0.06, 0.56, 0.28, 0.08, 0.02},
	"烟花爆竹":  {0.06, 0.46, 0.32, 0.12, 0.04},
	"非煤矿山":  {0.05, 0.43, 0.33, 0.14, 0.05},
	"工贸":    {0.10, 0.595, 0.24, 0.05, 0.015},
	"小微加工":  {0.14, 0.60, 0.20, 0.05, 0.01},
}

// sectorMaxC caps the LEC consequence factor: only the hazardous sectors
// can have a catastrophe (C 100).
var sectorMaxC = map[string]float64{
	"危化品生产": 100, "危化品使用": 100, "危化品经营": 100, "烟花爆竹": 100, "非煤矿山": 100,
	"工贸": 40, "小微加工": 15,
}

// hazardous reports whether the sector is under the special regimes where
// 安全生产标准化 is effectively mandatory.
func hazardous(sector string) bool { return sector != "工贸" && sector != "小微加工" }

// enterpriseWeights returns each centre's share of the enterprises: county
// shares follow the 2020 population (莲都, the city, ×1.3); within a county
// each town takes 4 % × its weight (街道 1.2, 镇 1, 乡 0.45, synthetic
// satellite 1.5, industrial park 3), at most 60 % in all, and the seat
// takes the rest.
func (w *world) enterpriseWeights() []float64 {
	out := make([]float64, len(w.centres))
	var popSum float64
	cw := make([]float64, len(w.counties))
	for i, c := range w.counties {
		cw[i] = float64(c.pop)
		if c.code == "331102" {
			cw[i] *= 1.3
		}
		popSum += cw[i]
	}
	for ci := range w.counties {
		idx := w.centresOf(ci)
		var towns float64
		tw := map[int]float64{}
		for _, i := range idx {
			c := &w.centres[i]
			var x float64
			switch c.kind {
			case kindStreet:
				x = 1.2
			case kindTown:
				x = 1
			case kindTownship:
				x = 0.45
			case kindSatellite:
				x = 1.5
				if hasSuffix(c.name, "工业园区") {
					x = 3
				}
			}
			tw[i] = 0.04 * x
			towns += 0.04 * x
		}
		scale := 1.0
		if towns > 0.6 {
			scale = 0.6 / towns
		}
		share := cw[ci] / popSum
		for _, i := range idx {
			if w.centres[i].kind.isSeat() {
				out[i] = share * (1 - towns*scale)
			} else {
				out[i] = share * tw[i] * scale
			}
		}
	}
	return out
}

// sigma is the spread (m) of enterprises around a centre.
func (c *centre) sigma() float64 {
	switch c.kind {
	case kindCitySeat:
		return 3000
	case kindSeat:
		return 2500
	case kindTownship:
		return 1500
	case kindSatellite:
		return 2000
	}
	return 1800
}

// enterprises generates NumEnterprises enterprises graded by LEC.
func (w *world) enterprises() []geo.Object {
	r := newRnd(streamEnterprises)
	centres := newCumPicker(w.enterpriseWeights())

	indPick := make([]cumPicker, len(w.counties))
	for ci, c := range w.counties {
		wt := make([]float64, len(industries))
		for i, ind := range industries {
			wt[i] = ind.base
			if m, ok := ind.county[c.code]; ok {
				wt[i] *= m
			}
		}
		indPick[ci] = newCumPicker(wt)
	}
	combos := map[float64][5][]lecCombo{}
	for _, c := range sectorMaxC {
		if _, ok := combos[c]; !ok {
			combos[c] = lecCombos(c)
		}
	}

	names, codes := nameSet{}, nameSet{}
	out := make([]geo.Object, 0, NumEnterprises)
	for i := range NumEnterprises {
		c := &w.centres[centres.pick(r)]
		cty := &w.counties[c.county]
		ind := &industries[indPick[c.county].pick(r)]
		pt := w.placeNear(r, c, r.gauss(c.sigma()))
		town := c.townName(r)

		// Scale and employees.
		scale := pickCum(r.Float64(), []float64{0.12, 0.5}, []string{"规上", "规下"}, "小微")
		if ind.sector == "小微加工" {
			scale = "小微"
			if r.chance(0.15) {
				scale = "规下"
			}
		}
		var employees int
		switch scale {
		case "规上":
			employees = int(math.Round(50 * math.Pow(12, r.Float64())))
		case "规下":
			employees = r.intIn(10, 120)
		default:
			employees = r.intIn(3, 30)
		}
		if ind.name == "加油站" || ind.name == "烟花爆竹批发" || ind.name == "化工原料批发" {
			employees = r.intIn(5, 25)
			scale = "小微"
		}

		// Name: {place}{字号}{行业}有限公司.
		var name string
		for try := 0; ; try++ {
			prefix := c.short
			switch {
			case c.kind == kindCitySeat && r.chance(0.5):
				prefix = "丽水"
			case c.kind.isSeat() && r.chance(0.3):
				prefix = shortTown(town)
			case !c.kind.isSeat() && r.chance(0.2):
				prefix = cty.short
			}
			suffix := "有限公司"
			if scale == "规上" && r.chance(0.25) {
				prefix = "浙江"
				if r.chance(0.3) {
					suffix = "股份有限公司"
				}
			}
			name = prefix + pick(r, tradeNames) + pick(r, ind.words) + suffix
			if !names[name] || try >= 30 {
				name = names.unique(name, func(n int) string { return fmt.Sprintf("（%d）", n) })
				break
			}
		}
		var uscc string
		for {
			uscc = r.uscc(cty.code)
			if !codes[uscc] {
				codes[uscc] = true
				break
			}
		}

		std := "无"
		x := r.Float64()
		switch {
		case hazardous(ind.sector):
			std = pickCum(x, []float64{0.02, 0.17, 0.95}, []string{"一级", "二级", "三级"}, "无")
		case scale == "规上":
			std = pickCum(x, []float64{0.01, 0.16, 0.76}, []string{"一级", "二级", "三级"}, "无")
		case scale == "规下":
			std = pickCum(x, []float64{0.03, 0.43}, []string{"二级", "三级"}, "无")
		default:
			std = pickCum(x, []float64{0.15}, []string{"三级"}, "无")
		}

		attrs := map[string]any{
			"industry":              ind.name,
			"industry_code":         ind.code,
			"supervision_sector":    ind.sector,
			"employees":             employees,
			"scale":                 scale,
			"uscc":                  uscc,
			"standardization_level": std,
			"township":              town,
			"address":               fmt.Sprintf("浙江省丽水市%s%s%s%d号", cty.name, town, pick(r, streetNames), r.intIn(1, 399)),
			"legal_representative":  r.personName(),
			"phone":                 r.phone(cty.code),
			"dust_explosion":        ind.dust,
			"confined_space":        ind.space || (ind.name == "食品" && r.chance(0.5)),
			"ammonia_refrigeration": ind.name == "食品" && r.chance(0.3),
		}

		o := geo.Object{
			Category:   geo.Enterprises,
			Name:       name,
			Point:      pt,
			County:     w.countyCode(pt),
			Source:     Source,
			SourceID:   fmt.Sprintf("ent-%06d", i+1),
			Attributes: attrs,
		}
		probs := sectorGrades[ind.sector]
		if g := geo.Grade(r.weighted(probs[:])); g != geo.Unassessed {
			lec := r.pickLEC(combos[sectorMaxC[ind.sector]], g)
			d := lecD(lec.l, lec.e, lec.c)
			o.Grade, o.Score, o.Method, o.AssessedAt = g, &d, MethodLEC, r.assessedAt()
			attrs["lec_l"], attrs["lec_e"], attrs["lec_c"] = lec.l, lec.e, lec.c
		}
		out = append(out, o)
	}
	return out
}

// pickCum returns vals[i] for the first cumulative bound cum[i] > x, or def.
func pickCum(x float64, cum []float64, vals []string, def string) string {
	for i, c := range cum {
		if x < c {
			return vals[i]
		}
	}
	return def
}

// countyCode returns the adcode of the county containing p, or "".
func (w *world) countyCode(p orb.Point) string {
	if i := w.countyAt(p); i >= 0 {
		return w.counties[i].code
	}
	return ""
}
