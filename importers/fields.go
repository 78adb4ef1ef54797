package importers

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"riskmap/geo"
)

// The core fields every risk object has. Anything else a file holds goes
// into the object's attributes.
const (
	FieldID         = "id"
	FieldName       = "name"
	FieldLon        = "lon"
	FieldLat        = "lat"
	FieldCounty     = "county"
	FieldGrade      = "grade"
	FieldScore      = "score"
	FieldMethod     = "method"
	FieldAssessedAt = "assessed_at"
	// For admin areas (category counties).
	FieldCode       = "code"
	FieldPopulation = "population"
	FieldLevel      = "level"
	FieldParent     = "parent_code"
)

// kind says how an attribute's text is read.
type kind int

const (
	text    kind = iota
	number       // a number, units and thousands separators allowed
	integer      // a whole number
	class        // 1–5 written as 4, 4类, 四类, IV
	stake        // a road stake: K12+345 → 12.345
)

// field is a target of column mapping: a core field or a known attribute.
type field struct {
	key     string
	kind    kind
	aliases []string // header names, compared after normalise
	zh      string   // Chinese name, for messages
}

// coreFields are recognised for every category.
var coreFields = []field{
	{FieldID, text, []string{"id", "编号", "编码", "代码", "统一社会信用代码", "社会信用代码", "信用代码", "uscc", "sourceid", "唯一标识", "标识码",
		"桥梁编码", "桥梁代码", "桥梁编号", "点段编号", "队伍编号", "场所编号", "企业编号", "资源编号"}, "编号"},
	{FieldName, text, []string{"name", "名称", "单位名称", "企业名称", "单位", "桥梁名称", "桥名", "点段名称", "队伍名称", "场所名称",
		"避灾安置场所名称", "避难场所名称", "资源名称", "mc"}, "名称"},
	{FieldLon, text, []string{"lon", "lng", "long", "longitude", "经度", "东经", "x", "x坐标", "经度坐标", "坐标x"}, "经度"},
	{FieldLat, text, []string{"lat", "latitude", "纬度", "北纬", "y", "y坐标", "纬度坐标", "坐标y"}, "纬度"},
	{FieldCounty, text, []string{"county", "district", "所属区县", "区县", "县区", "所在区县", "县市区", "县(市、区)", "县（市、区）",
		"所属县市区", "行政区划", "行政区划代码", "区县代码", "adcode", "countycode"}, "所属区县"},
	{FieldGrade, text, []string{"grade", "riskgrade", "risklevel", "风险等级", "风险级别", "风险分级", "等级", "四色等级", "风险颜色", "风险程度"}, "风险等级"},
	{FieldScore, number, []string{"score", "风险值", "评分", "得分", "分值", "d值", "r值"}, "风险值"},
	{FieldMethod, text, []string{"method", "评估方法", "评价方法"}, "评估方法"},
	{FieldAssessedAt, text, []string{"assessedat", "评估日期", "评估时间", "评定日期", "评价日期"}, "评估日期"},
}

// areaFields are recognised for admin-area files (category counties).
var areaFields = []field{
	{FieldCode, text, []string{"code", "adcode", "行政区划代码", "区划代码", "代码", "编码", "gb"}, "行政区划代码"},
	{FieldName, text, []string{"name", "名称", "行政区名称", "区县名称"}, "名称"},
	{FieldPopulation, integer, []string{"population", "pop", "人口", "常住人口", "户籍人口", "pop2020census"}, "人口"},
	{FieldLevel, text, []string{"level", "级别", "层级"}, "级别"},
	{FieldParent, text, []string{"parent", "parentcode", "parentadcode", "上级代码", "上级行政区划代码"}, "上级代码"},
}

// attributeFields are the known attributes of each category
// (../shared/docs/domain.md §2); their keys match the demo data's.
var attributeFields = map[geo.Category][]field{
	geo.Enterprises: {
		{"industry", text, []string{"industry", "行业", "所属行业", "行业类别", "行业门类"}, "行业"},
		{"industry_code", text, []string{"industrycode", "行业代码", "国民经济行业代码"}, "行业代码"},
		{"supervision_sector", text, []string{"supervisionsector", "监管行业", "监管类别", "行业监管类别"}, "监管行业"},
		{"employees", integer, []string{"employees", "从业人数", "职工人数", "员工人数", "从业人员", "人数"}, "从业人数"},
		{"scale", text, []string{"scale", "企业规模", "规模"}, "企业规模"},
		{"address", text, []string{"address", "地址", "详细地址", "经营地址", "注册地址", "生产经营地址"}, "地址"},
		{"legal_representative", text, []string{"legalrepresentative", "法定代表人", "法人", "法人代表"}, "法定代表人"},
		{"phone", text, []string{"phone", "tel", "联系电话", "电话", "手机"}, "联系电话"},
		{"standardization_level", text, []string{"standardizationlevel", "标准化等级", "安全生产标准化等级", "标准化级别"}, "标准化等级"},
		// Grading inputs (geo/grading, sql/grading/defaults.json).
		{"lec_l", number, []string{"lecl", "l值", "lec_l", "事故发生的可能性", "可能性l"}, "L值"},
		{"lec_e", number, []string{"lece", "e值", "lec_e", "暴露于危险环境的频繁程度", "暴露频繁程度e"}, "E值"},
		{"lec_c", number, []string{"lecc", "c值", "lec_c", "发生事故产生的后果", "后果c"}, "C值"},
		{"ls_l", number, []string{"lsl", "ls_l", "风险矩阵l", "矩阵可能性"}, "矩阵L"},
		{"ls_s", number, []string{"lss", "ls_s", "风险矩阵s", "矩阵严重性"}, "矩阵S"},
		{"mes_m", number, []string{"mesm", "mes_m", "m值", "控制措施状态m"}, "M值"},
		{"mes_e", number, []string{"mese", "mes_e", "mes e值", "暴露频次e"}, "MES E值"},
		{"mes_s", number, []string{"mess", "mes_s", "mes s值", "事故后果s"}, "MES S值"},
		{"hazchem_score", number, []string{"hazchemscore", "诊断评分", "评估诊断得分", "安全风险评估诊断分值", "诊断分值"}, "诊断评分"},
		{"hazchem_direct_red", integer, []string{"hazchemdirectred", "直接判定红色", "直接判定为红色"}, "直接判定红色"},
		{"mhs_r", number, []string{"mhsr", "重大危险源r值", "危险源r值"}, "重大危险源R值"},
		{"mhs_level", class, []string{"mhslevel", "重大危险源等级", "重大危险源级别", "危险源等级"}, "重大危险源等级"},
	},
	geo.Bridges: {
		{"tech_class", class, []string{"techclass", "技术状况等级", "技术状况评定等级", "技术状况", "评定等级", "桥梁技术状况"}, "技术状况等级"},
		{"dr_score", number, []string{"dr", "drscore", "技术状况评分", "dr值", "评分dr"}, "技术状况评分"},
		{"route_code", text, []string{"routecode", "路线编号", "路线代码", "路线编码"}, "路线编号"},
		{"stake_km", stake, []string{"stakekm", "桩号", "中心桩号", "桥梁中心桩号"}, "中心桩号"},
		{"total_length_m", number, []string{"totallengthm", "length", "桥长", "桥梁全长", "全长", "桥梁长度"}, "桥长"},
		{"max_span_m", number, []string{"maxspanm", "最大跨径", "最大单孔跨径"}, "最大跨径"},
		{"year_built", integer, []string{"yearbuilt", "建成年份", "修建年度", "建成年限", "建成时间", "建成年度"}, "建成年份"},
		{"structure", text, []string{"structure", "结构类型", "桥型", "上部结构类型", "桥梁类型"}, "结构类型"},
		{"size_class", text, []string{"sizeclass", "按跨径分类", "桥梁分类", "跨径分类"}, "跨径分类"},
	},
	geo.BlackSpots: {
		{"road", text, []string{"road", "道路名称", "路线名称", "所在道路"}, "道路名称"},
		{"class", text, []string{"class", "类别", "点段类别", "多发点段类别"}, "类别"},
		{"n_accidents_3y", integer, []string{"naccidents3y", "事故起数", "近三年事故数", "事故数"}, "事故起数"},
		{"n_fatal_3y", integer, []string{"nfatal3y", "死亡事故数", "亡人事故数"}, "死亡事故数"},
		{"n_deaths_3y", integer, []string{"ndeaths3y", "死亡人数"}, "死亡人数"},
		{"n_injury_3y", integer, []string{"ninjury3y", "受伤人数"}, "受伤人数"},
		{"treatment_status", text, []string{"treatmentstatus", "治理状态", "整治情况", "治理情况"}, "治理状态"},
	},
	geo.RescueResources: {
		{"team_type", text, []string{"teamtype", "队伍类型", "专业类别", "救援类型", "类型"}, "队伍类型"},
		{"headcount", integer, []string{"headcount", "人数", "队员人数", "救援人员数", "总人数", "人员数量"}, "人数"},
		{"personnel_on_duty", integer, []string{"personnelonduty", "在岗人数", "值班人数"}, "在岗人数"},
		{"status", text, []string{"status", "状态", "队伍状态"}, "状态"},
		{"phone", text, []string{"phone", "tel", "值班电话", "联系电话", "电话"}, "联系电话"},
		{"organisation", text, []string{"organisation", "organization", "所属单位", "主管单位", "隶属单位"}, "所属单位"},
		{"kind", text, []string{"kind", "资源类型", "资源类别"}, "资源类型"},
	},
	geo.Shelters: {
		{"capacity_persons", integer, []string{"capacitypersons", "capacity", "容纳人数", "可容纳人数", "容量", "设计容量"}, "容纳人数"},
		{"effective_area_m2", number, []string{"effectiveaream2", "有效面积", "面积", "使用面积", "有效避难面积"}, "有效面积"},
		{"tier", text, []string{"tier", "场所级别", "级别", "层级"}, "场所级别"},
		{"form", text, []string{"form", "场所形式", "类型"}, "场所形式"},
		{"host_facility", text, []string{"hostfacility", "依托设施", "场所类型", "依托单位"}, "依托设施"},
		{"manager", text, []string{"manager", "负责人", "管理人", "联系人"}, "负责人"},
		{"phone", text, []string{"phone", "tel", "联系电话", "电话"}, "联系电话"},
	},
}

// Attribute describes a known attribute of a category: its key in the
// objects' attributes, its Chinese name, and whether it holds a number.
type Attribute struct {
	Key    string
	NameZH string
	Number bool // a number (integer or not); else text
}

// KnownAttributes lists the attributes the importers recognise for
// category c, in their order.
func KnownAttributes(c geo.Category) []Attribute {
	var out []Attribute
	for _, f := range attributeFields[c] {
		out = append(out, Attribute{Key: f.key, NameZH: f.zh, Number: f.kind == number || f.kind == integer || f.kind == class || f.kind == stake})
	}
	return out
}

// normalise folds a header for comparison: full-width to half-width,
// lower case, without spaces, underscores, hyphens, colons, and without a
// trailing unit in brackets ("经度（°）" → "经度").
func normalise(s string) string {
	s = width.Narrow.String(strings.TrimSpace(s))
	for _, pair := range [][2]string{{"(", ")"}, {"[", "]"}} {
		if strings.HasSuffix(s, pair[1]) {
			if i := strings.LastIndex(s, pair[0]); i > 0 {
				s = s[:i]
			}
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == ':' || r == '.' || r == '*' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Mapping overrides the header recognition: it names, for headers of the
// file, the field or attribute key they hold, and says how to read what
// is not self-evident. It is read from a JSON file (--mapping), e.g.
//
//	{"columns": {"单位名": "name", "X": "lon", "Y": "lat", "备注": ""},
//	 "crs": "gcj02",
//	 "grade_scale": {"1": "red", "2": "orange", "3": "yellow", "4": "blue"}}
//
// A column mapped to "" is ignored.
type Mapping struct {
	Columns    map[string]string `json:"columns"`
	CRS        string            `json:"crs,omitempty"`
	GradeScale map[string]string `json:"grade_scale,omitempty"`
}

// ReadMapping reads a mapping file; errors name what is wrong.
func ReadMapping(r io.Reader) (*Mapping, error) {
	var m Mapping
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping file: %w (want {\"columns\": {\"header\": \"field\"}, \"crs\": …, \"grade_scale\": {…}})", err)
	}
	for v, g := range m.GradeScale {
		if _, err := geo.ParseGrade(g); err != nil {
			return nil, fmt.Errorf("mapping file: grade_scale %q: %w", v, err)
		}
	}
	return &m, nil
}

// target is what one column of a file holds.
type target struct {
	field field
	attr  string // attribute key when not a known field ("" for fields)
	skip  bool
}

// resolver maps header names to targets, remembering what it decided.
type resolver struct {
	fields  []field
	mapping *Mapping
	cache   map[string]target
	columns map[string]string // field key → the header that holds it
	// shadowed lists headers that name a field another column holds
	// already, with that column: {header, first}.
	shadowed [][2]string
}

func newResolver(category string, m *Mapping) *resolver {
	var fs []field
	if category == string(geo.Counties) {
		fs = areaFields
	} else {
		fs = append(append(fs, coreFields...), attributeFields[geo.Category(category)]...)
	}
	return &resolver{fields: fs, mapping: m, cache: map[string]target{}, columns: map[string]string{}}
}

// resolve says what the column named header holds.
func (r *resolver) resolve(header string) target {
	if t, ok := r.cache[header]; ok {
		return t
	}
	t := r.lookup(header)
	if !t.skip && t.attr == "" {
		if first, seen := r.columns[t.field.key]; seen && first != header {
			// Two columns for one field (编号 and 统一社会信用代码, say):
			// the first in the file holds it, the other is kept as an
			// attribute under its own name.
			t = target{attr: strings.TrimSpace(header)}
			r.shadowed = append(r.shadowed, [2]string{header, first})
		} else {
			r.columns[t.field.key] = header
		}
	}
	r.cache[header] = t
	return t
}

func (r *resolver) lookup(header string) target {
	if r.mapping != nil {
		if to, ok := r.mapping.Columns[header]; ok {
			if to == "" {
				return target{skip: true}
			}
			for _, f := range r.fields {
				if f.key == to {
					return target{field: f}
				}
			}
			return target{attr: to}
		}
	}
	n := normalise(header)
	for _, f := range r.fields {
		for _, a := range f.aliases {
			if n == normalise(a) {
				return target{field: f}
			}
		}
	}
	return target{attr: strings.TrimSpace(header)}
}

// column is the header holding field key, or the key itself when none
// has been seen.
func (r *resolver) column(key string) string {
	if c, ok := r.columns[key]; ok {
		return c
	}
	return key
}

// missing checks that headers cover the required fields and returns a
// Problem naming each one that is missing, the headers found and the
// closest of them.
func (r *resolver) missing(headers []string, required []string) *Problem {
	have := map[string]bool{}
	for _, h := range headers {
		if t := r.resolve(h); !t.skip && t.attr == "" {
			have[t.field.key] = true
		}
	}
	for _, key := range required {
		if have[key] {
			continue
		}
		var f field
		for _, g := range r.fields {
			if g.key == key {
				f = g
			}
		}
		best, bestD := "", 1<<30
		for _, h := range headers {
			for _, a := range f.aliases {
				if d := editDistance(normalise(h), normalise(a)); d < bestD {
					best, bestD = h, d
				}
			}
		}
		hs := append([]string(nil), headers...)
		sort.Strings(hs)
		p := problemf(0, "", "",
			fmt.Sprintf("no column for %s (%s); headers found: %s; closest: %q — rename it or map it with --mapping", key, strings.Join(f.aliases[:min(4, len(f.aliases))], ", "), strings.Join(hs, ", "), best),
			fmt.Sprintf("找不到“%s”列（可用列名：%s）；文件中的列：%s；最接近的是“%s”——请改列名或用 --mapping 指定", f.zh, strings.Join(f.aliases[:min(4, len(f.aliases))], "、"), strings.Join(hs, "、"), best))
		return p
	}
	return nil
}

// editDistance is the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
