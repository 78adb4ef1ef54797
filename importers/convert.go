package importers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"riskmap/geo"
	"riskmap/geo/crs"
	"riskmap/geo/grading"
)

// converter turns records into risk objects (or divisions), in the input
// CRS; the pipeline transforms, locates and stages them.
type converter struct {
	category string
	system   crs.System
	res      *resolver
	scale    map[string]geo.Grade
	// grading grades each record from its inputs, when set.
	grading *grading.Set
	// textChecked says the reader already rejected garbled text.
	textChecked bool
}

// parsed is one converted record.
type parsed struct {
	row      int
	obj      geo.Object
	div      geo.Division // for admin-area files
	warnings []*Problem
}

func newConverter(category string, system crs.System, m *Mapping) *converter {
	c := &converter{category: category, system: system, res: newResolver(category, m), scale: map[string]geo.Grade{}}
	if m != nil {
		for v, g := range m.GradeScale {
			c.scale[strings.TrimSpace(v)], _ = geo.ParseGrade(g)
		}
	}
	return c
}

// required is what a record must carry, given whether the file has
// geometries of its own.
func (c *converter) required(hasGeometry bool) []string {
	if c.category == string(geo.Counties) {
		return []string{FieldCode, FieldName}
	}
	if hasGeometry {
		return []string{FieldName}
	}
	return []string{FieldName, FieldLon, FieldLat}
}

// convert reads one record. Problems are the reasons the record cannot be
// stored; warnings travel with a good record.
func (c *converter) convert(rec Record) (parsed, []*Problem) {
	out := parsed{row: rec.Row}
	var probs []*Problem
	bad := func(col, val, en, zh string) { probs = append(probs, problemf(rec.Row, col, val, en, zh)) }
	vals := map[string]string{} // core field → value
	cols := map[string]string{} // core field → column name
	attrs := map[string]any{}
	for i, name := range rec.Names {
		if i >= len(rec.Values) {
			break
		}
		v := strings.TrimSpace(rec.Values[i])
		if v == "" {
			continue
		}
		t := c.res.resolve(name)
		if t.skip {
			continue
		}
		if !c.textChecked && looksMojibake(v) {
			bad(name, v, "garbled text (mojibake): the file was saved in another encoding; try --encoding gbk or utf-8",
				"乱码：文件的编码与读取方式不一致，请尝试 --encoding gbk 或 utf-8")
			continue
		}
		if t.attr != "" {
			attrs[t.attr] = v
			continue
		}
		switch t.field.kind {
		case text:
			if t.field.core {
				vals[t.field.key], cols[t.field.key] = v, name
			} else {
				attrs[t.field.key] = v
			}
		default:
			x, err := parseKind(t.field.kind, v)
			if err != nil {
				bad(name, v, err.Error(), kindZH(t.field.kind))
				continue
			}
			if t.field.core {
				vals[t.field.key], cols[t.field.key] = v, name
			} else {
				attrs[t.field.key] = x
			}
		}
	}
	if c.category == string(geo.Counties) {
		return c.division(rec, vals, cols, out, probs)
	}
	o := &out.obj
	o.Category = geo.Category(c.category)
	o.Name = vals[FieldName]
	if o.Name == "" {
		bad(colOr(cols, FieldName, "名称"), "", "the name is empty", "名称为空")
	}
	o.Attributes = attrs

	// Position: the feature's geometry, else the lon/lat columns.
	if rec.Geometry != nil {
		p, warn := pointOf(rec.Geometry)
		if warn != "" {
			out.warnings = append(out.warnings, warningf(rec.Row, "geometry", string(rec.Geometry.GeoJSONType()), warn, "几何不是点，已取其中心点"))
		}
		if p == nil {
			bad("geometry", string(rec.Geometry.GeoJSONType()), "the geometry is empty or not a point, line or polygon", "几何为空或不是点、线、面")
		} else {
			o.Point = *p
		}
	} else if p, ok := c.coordinates(rec.Row, vals, cols, &probs); ok {
		o.Point = p
	}
	if !validNumber(o.Point[0]) || !validNumber(o.Point[1]) {
		o.Point = orb.Point{}
	}

	o.County = vals[FieldCounty] // resolved against the divisions later
	if g := vals[FieldGrade]; g != "" {
		grade, err := c.grade(g)
		if err != nil {
			bad(cols[FieldGrade], g, err.Error(), "无法识别的风险等级：应为 红/橙/黄/蓝、重大/较大/一般/低风险 或 mapping 文件 grade_scale 中的值")
		} else {
			o.Grade = grade
		}
	}
	if s := vals[FieldScore]; s != "" {
		x, _ := parseKind(number, s)
		o.Score = &x
	}
	if o.Grade.Assessed() {
		o.Method = vals[FieldMethod]
		if o.Method == "" {
			o.Method = "stated"
		}
		// Without a date the store keeps the object's own while its grade
		// stays, or takes the import's time (see riskmap_assessed_at).
		if d := vals[FieldAssessedAt]; d != "" {
			t, err := parseDate(d)
			if err != nil {
				bad(cols[FieldAssessedAt], d, "not a date (want 2025-11-09, 2025/11/09 or 2025年11月9日)", "不是日期（应为 2025-11-09、2025/11/09 或 2025年11月9日）")
			} else {
				o.AssessedAt = &t
			}
		}
	} else if vals[FieldMethod] != "" || vals[FieldAssessedAt] != "" {
		attrs[FieldMethod+"_stated"] = vals[FieldMethod]
	}
	if c.grading != nil && len(probs) == 0 {
		// A new object has no hidden hazards yet; the store grades again
		// the known ones that have (see postgis.Import.Merge).
		if _, err := c.grading.Apply(o, grading.Hazards{}, nil, time.Time{}); err != nil { // no date: the store settles it
			var p *grading.Problem
			if errors.As(err, &p) {
				bad(c.res.column(p.Input), p.Value, p.Reason+" (grading scheme "+p.Scheme+")", "评估输入无效："+p.Reason+"（评估方案 "+p.Scheme+"）")
			} else {
				bad("", "", "cannot grade the row: "+err.Error(), "无法评估该行："+err.Error())
			}
		}
	}
	o.SourceID = vals[FieldID]
	if o.SourceID == "" && o.Name != "" {
		o.SourceID = stableKey(o.Name, o.Point)
	}
	return out, probs
}

// levelZh names the levels in messages.
var levelZh = map[string]string{geo.LevelProvince: "省", geo.LevelCity: "市", geo.LevelCounty: "区县", geo.LevelTownship: "乡镇", geo.LevelVillage: "村"}

// division reads a record of an admin-area file.
func (c *converter) division(rec Record, vals, cols map[string]string, out parsed, probs []*Problem) (parsed, []*Problem) {
	bad := func(col, val, en, zh string) { probs = append(probs, problemf(rec.Row, col, val, en, zh)) }
	d := &out.div
	d.Code, d.Name, d.Level, d.ParentCode = vals[FieldCode], vals[FieldName], vals[FieldLevel], vals[FieldParent]
	codeOK := geo.CheckDivisionCode(d.Code) == nil
	if !codeOK {
		bad(colOr(cols, FieldCode, "代码"), d.Code, "the code must be a division code of 6 digits (GB/T 2260), 9 (GB/T 10114 townships) or 12",
			"行政区划代码应为 6 位（GB/T 2260）、9 位（GB/T 10114 乡镇）或 12 位数字")
	}
	if d.Name == "" {
		bad(colOr(cols, FieldName, "名称"), "", "the name is empty", "名称为空")
	}
	stated := d.Level
	switch d.Level {
	case "province", "省", "省级", "自治区", "直辖市":
		d.Level = geo.LevelProvince
	case "city", "市", "地级市", "市级", "地区", "自治州":
		d.Level = geo.LevelCity
	case "county", "区县", "县", "县级", "县市区", "区":
		d.Level = geo.LevelCounty
	case "township", "乡镇", "乡镇街道", "街道", "乡", "镇":
		d.Level = geo.LevelTownship
	case "village", "村", "社区", "村居":
		d.Level = geo.LevelVillage
	case "local", "development_zone", "开发区", "经济技术开发区", "高新区", "功能区", "园区":
		d.Local, d.Level = true, ""
	case "":
	default:
		bad(cols[FieldLevel], d.Level, "level must be province, city, county, township, village or local (a development zone)", "级别应为 省、市、区县、乡镇、村 或 开发区（功能区）")
	}
	if codeOK {
		// The code says the level and the parent; what the file states
		// must agree with it.
		want := geo.DivisionLevel(d.Code)
		switch {
		case d.Level == "":
			d.Level = want
		case d.Level != want && stated != "":
			bad(cols[FieldLevel], stated, fmt.Sprintf("code %s is a %s's, not a %s's", d.Code, want, d.Level),
				fmt.Sprintf("代码 %s 是%s级代码，与级别“%s”不符", d.Code, levelZh[want], stated))
		}
		parent := geo.ParentDivision(d.Code)
		switch {
		case d.ParentCode == "":
			d.ParentCode = parent
		case d.ParentCode != parent:
			bad(cols[FieldParent], d.ParentCode, fmt.Sprintf("code %s lies under %s, not under %s (a division's code begins with its parent's)", d.Code, parent, d.ParentCode),
				fmt.Sprintf("代码 %s 的上级应为 %s，而不是 %s（下级代码以上级代码开头）", d.Code, parent, d.ParentCode))
		}
	}
	if p := vals[FieldPopulation]; p != "" {
		n, _ := parseKind(integer, p)
		v := int64(n)
		d.Population = &v
	}
	switch g := rec.Geometry.(type) {
	case orb.Polygon:
		d.Geometry = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		d.Geometry = g
	default:
		typ := "none"
		if g != nil {
			typ = g.GeoJSONType()
		}
		bad("geometry", typ, "an admin area needs a polygon boundary", "行政区需要面状边界")
	}
	return out, probs
}

// coordinates reads the lon/lat (or x/y) columns in the input CRS.
func (c *converter) coordinates(row int, vals, cols map[string]string, probs *[]*Problem) (orb.Point, bool) {
	bad := func(col, val, en, zh string) { *probs = append(*probs, problemf(row, col, val, en, zh)) }
	xs, ys := vals[FieldLon], vals[FieldLat]
	if xs == "" || ys == "" {
		col, zh := colOr(cols, FieldLon, "经度"), "经度"
		if xs != "" {
			col, zh = colOr(cols, FieldLat, "纬度"), "纬度"
		}
		bad(col, "", "the coordinate is missing", zh+"为空")
		return orb.Point{}, false
	}
	if !c.system.Geographic() {
		x, errX := strconv.ParseFloat(strings.ReplaceAll(xs, ",", ""), 64)
		y, errY := strconv.ParseFloat(strings.ReplaceAll(ys, ",", ""), 64)
		if errX != nil || !validNumber(x) {
			bad(cols[FieldLon], xs, "not a number", "不是数字")
			return orb.Point{}, false
		}
		if errY != nil || !validNumber(y) {
			bad(cols[FieldLat], ys, "not a number", "不是数字")
			return orb.Point{}, false
		}
		// Chinese surveying calls the northing X and the easting Y; in
		// the northern hemisphere a northing above 1,000 km beside an
		// easting below it gives the habit away.
		if x > 1e6 && y < 1e6 {
			x, y = y, x
		}
		return orb.Point{x, y}, true
	}
	x, ax, errX := parseCoordinate(xs)
	y, ay, errY := parseCoordinate(ys)
	if errX != nil {
		bad(cols[FieldLon], xs, "not a longitude: "+errX.Error(), "不是有效的经度（应为十进制度数如 119.9123，或度分秒如 119°55′12″E）")
	}
	if errY != nil {
		bad(cols[FieldLat], ys, "not a latitude: "+errY.Error(), "不是有效的纬度（应为十进制度数如 28.4567，或度分秒如 28°27′24″N）")
	}
	if errX != nil || errY != nil {
		return orb.Point{}, false
	}
	switch {
	case ax == crs.AxisLat || ay == crs.AxisLon:
		bad(cols[FieldLon], xs+", "+ys, "longitude and latitude are swapped (the hemisphere letters say so)", "经纬度填反了（N/S、E/W 标记表明）")
		return orb.Point{}, false
	case x == 0 && y == 0:
		bad(cols[FieldLon], xs+", "+ys, "the coordinates are 0, 0: missing position", "坐标为 0,0：缺少位置")
		return orb.Point{}, false
	case math.Abs(x) > 180 || math.Abs(y) > 90:
		en, zh := "outside the range of longitude (±180) and latitude (±90)", "超出经纬度范围（经度 ±180，纬度 ±90）"
		if math.Abs(x) > 1000 || math.Abs(y) > 1000 {
			en, zh = "looks like projected coordinates (metres): give the coordinate system, e.g. --crs EPSG:4549", "像是投影坐标（米）：请指定坐标系，如 --crs EPSG:4549"
		} else if math.Abs(y) <= 180 && math.Abs(x) <= 90 {
			en, zh = "longitude and latitude look swapped", "经纬度可能填反了"
		}
		bad(cols[FieldLon], xs+", "+ys, en, zh)
		return orb.Point{}, false
	}
	return orb.Point{x, y}, true
}

// parseCoordinate reads decimal degrees as a plain number (whatever its
// range: the caller says what is wrong with it), else as written degrees.
func parseCoordinate(s string) (float64, crs.Axis, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil && validNumber(v) {
		return v, crs.AxisUnknown, nil
	}
	return crs.ParseDegrees(s)
}

// grade reads a stated grade: its name or colour, 一级…四级 / I…IV (一级
// = 重大 = red), or a value of the mapping's grade_scale.
func (c *converter) grade(s string) (geo.Grade, error) {
	if g, ok := c.scale[strings.TrimSpace(s)]; ok {
		return g, nil
	}
	g, err := geo.ParseGrade(s)
	if err == nil {
		return g, nil
	}
	switch strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(s), "风险")) {
	case "一级", "I", "Ⅰ":
		return geo.Red, nil
	case "二级", "II", "Ⅱ":
		return geo.Orange, nil
	case "三级", "III", "Ⅲ":
		return geo.Yellow, nil
	case "四级", "IV", "Ⅳ":
		return geo.Blue, nil
	}
	if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
		return 0, fmt.Errorf("numeric grade %q: say what the numbers mean with grade_scale in a --mapping file", s)
	}
	return 0, fmt.Errorf("unknown grade %q: want 红/橙/黄/蓝, 重大/较大/一般/低, red/orange/yellow/blue", s)
}

// pointOf returns the point that stands for a geometry: itself, the middle
// of a line, the centroid of a polygon. A warning says when it is not the
// geometry itself.
func pointOf(g orb.Geometry) (*orb.Point, string) {
	switch g := g.(type) {
	case orb.Point:
		return &g, ""
	case orb.MultiPoint:
		if len(g) == 1 {
			return &g[0], ""
		}
		if len(g) > 1 {
			c, _ := planar.CentroidArea(g)
			return &c, "a multipoint: stored at its centre"
		}
	case orb.LineString:
		if len(g) > 0 {
			p := midpoint(g)
			return &p, "a line: stored at its middle"
		}
	case orb.MultiLineString:
		if len(g) > 0 && len(g[0]) > 0 {
			p := midpoint(g[0])
			return &p, "a multiline: stored at the middle of its first line"
		}
	case orb.Polygon, orb.MultiPolygon:
		c, area := planar.CentroidArea(g)
		if area > 0 {
			return &c, "a polygon: stored at its centroid"
		}
	}
	return nil, ""
}

func midpoint(l orb.LineString) orb.Point {
	total := planar.Length(l)
	half, run := total/2, 0.0
	for i := 1; i < len(l); i++ {
		d := planar.Distance(l[i-1], l[i])
		if run+d >= half && d > 0 {
			t := (half - run) / d
			return orb.Point{l[i-1][0] + t*(l[i][0]-l[i-1][0]), l[i-1][1] + t*(l[i][1]-l[i-1][1])}
		}
		run += d
	}
	return l[0]
}

// stableKey identifies a record that has no id: its name and its
// position to about 10 m, so that re-importing the same row finds it.
func stableKey(name string, p orb.Point) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%.4f|%.4f", normalise(name), p[0], p[1])))
	return "auto:" + hex.EncodeToString(h[:10])
}

var (
	unitSuffix = regexp.MustCompile(`^([-+]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(人|米|m|㎡|m2|平方米|平米|km|公里|吨|t|个|座|辆)?$`)
	classText  = map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
	stakeText  = regexp.MustCompile(`^[Kk]?\s*([0-9]+)\s*\+\s*([0-9]{1,3}(?:\.[0-9]+)?)$`)
)

// plainNumber reports whether s is digits with an optional sign and
// decimal point: what unitSuffix accepts without a unit, and nothing
// ParseFloat also reads (Inf, 0x1p3, 1e5, 1_000).
func plainNumber(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	digitsOnly := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return t != ""
	}
	return digitsOnly(whole) && (!dot || digitsOnly(frac))
}

// parseKind reads an attribute's value.
func parseKind(k kind, s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch k {
	case number, integer:
		if v, err := strconv.ParseFloat(s, 64); err == nil && plainNumber(s) {
			// most cells: a plain number, without unit or separators
			if k == integer && v != math.Trunc(v) {
				return 0, fmt.Errorf("not a whole number")
			}
			return v, nil
		}
		m := unitSuffix.FindStringSubmatch(s)
		if m == nil {
			return 0, fmt.Errorf("not a number")
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
		if err != nil || !validNumber(v) {
			return 0, fmt.Errorf("not a number")
		}
		if k == integer && v != math.Trunc(v) {
			return 0, fmt.Errorf("not a whole number")
		}
		return v, nil
	case class:
		t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(s), "级"), "类"), "类桥")
		if v, ok := classText[t]; ok {
			return float64(v), nil
		}
		return 0, fmt.Errorf("not a class from 1 to 5 (1类…5类)")
	case stake:
		if m := stakeText.FindStringSubmatch(s); m != nil {
			km, _ := strconv.ParseFloat(m[1], 64)
			mm, _ := strconv.ParseFloat(m[2], 64)
			return km + mm/1000, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !validNumber(v) {
			return 0, fmt.Errorf("not a stake (K12+345 or 12.345)")
		}
		return v, nil
	}
	return 0, nil
}

func kindZH(k kind) string {
	switch k {
	case integer:
		return "不是整数"
	case class:
		return "不是 1 到 5 类"
	case stake:
		return "不是桩号（如 K12+345 或 12.345）"
	}
	return "不是数字"
}

var dateForms = []string{"2006-01-02", "2006/01/02", "2006-1-2", "2006/1/2", "2006.01.02", "2006.1.2", "2006年1月2日", "2006年01月02日", "2006-01-02 15:04:05", "2006/1/2 15:04"}

// parseDate reads a date as clerks write it, in China Standard Time.
func parseDate(s string) (time.Time, error) {
	cst := time.FixedZone("CST", 8*3600)
	for _, f := range dateForms {
		if t, err := time.ParseInLocation(f, strings.TrimSpace(s), cst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}

func validNumber(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func colOr(cols map[string]string, key, def string) string {
	if c := cols[key]; c != "" {
		return c
	}
	return def
}
