package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"riskmap/geo"
)

// HazardPlan is a demo hidden hazard: at which object, what, and the steps
// it has gone through so far.
type HazardPlan struct {
	Hazard   geo.Hazard // ObjectID unset: the object is Category/SourceID
	Category geo.Category
	SourceID string
	Steps    []geo.HazardStep
}

var hazardTitles = map[geo.Category][]string{
	geo.Enterprises: {"消防通道堵塞", "安全出口锁闭", "粉尘清扫不及时", "有限空间作业未审批", "液氨管道腐蚀", "危化品仓库超量储存",
		"特种作业人员无证上岗", "电气线路私拉乱接", "可燃气体报警器失效", "应急预案未演练"},
	geo.Bridges: {"支座脱空", "护栏缺失", "伸缩缝损坏", "墩柱混凝土剥落", "桥面铺装破损", "限载标志缺失"},
}

// Hazards returns the demo's hidden hazards, relative to today (local
// date): a few dozen at enterprises and bridges, a quarter of them major,
// in every state of the loop but closed. Deterministic for a given day.
func Hazards(ds *Dataset, today time.Time) []HazardPlan {
	r := rand.New(rand.NewPCG(2020, 9))
	var targets []geo.Object
	for _, o := range ds.Objects {
		if o.Category == geo.Enterprises || o.Category == geo.Bridges {
			targets = append(targets, o)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	date := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	plan := map[string]any{"goal": "消除隐患", "methods": "停用整改、更换设备", "funds_materials": "企业自筹", "org_people": "企业主要负责人牵头",
		"timeline": "30日内完成", "safety_contingency": "整改期间设置警戒并落实值守"}
	var out []HazardPlan
	for i := range 48 {
		o := targets[r.IntN(len(targets))]
		titles := hazardTitles[o.Category]
		level := "general"
		if i%4 == 0 {
			level = "major"
		}
		p := HazardPlan{Category: o.Category, SourceID: o.SourceID, Hazard: geo.Hazard{
			Code: fmt.Sprintf("LS-DEMO-%03d", i+1), Title: titles[r.IntN(len(titles))], Level: level,
			DiscoverySource: geo.HazardSources[r.IntN(len(geo.HazardSources))], FoundOn: date(-5 - r.IntN(40)),
			Description: "演示数据：" + o.Name,
		}}
		// How far along the loop: reported, assigned, rectifying, awaiting acceptance.
		stage := r.IntN(4)
		if stage >= 1 {
			level := []string{"county", "city"}[r.IntN(2)]
			st := geo.HazardStep{Action: "assign", ResponsibleUnit: o.Name, RectifyDeadline: date(5 + r.IntN(50)), SupervisionLevel: level}
			if p.Hazard.Level == "major" {
				st.Plan = mustJSON(plan)
			}
			p.Steps = append(p.Steps, st)
		}
		if stage >= 2 {
			p.Steps = append(p.Steps, geo.HazardStep{Action: "start"})
		}
		if stage >= 3 {
			p.Steps = append(p.Steps, geo.HazardStep{Action: "request_acceptance", Note: "整改完成，申请验收"})
		}
		out = append(out, p)
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // a map of strings always encodes
	}
	return b
}
