package geo

// The property catalogue: every property a risk object may carry, with
// its key, type, labels in Chinese and English, unit, the column headers
// an import recognises for it and, for the properties stored in columns,
// the SQL that reads them. The importers' header matching, the filter
// compiler, the OGC queryables, GET /api/v1/schema and the pages all read
// it, so that a property is described once.

// PropertyType says how a property's value is read and compared.
type PropertyType string

// The property types.
const (
	TypeText     PropertyType = "text"
	TypeNumber   PropertyType = "number"  // units and thousands separators allowed on import
	TypeInteger  PropertyType = "integer" // a whole number
	TypeClass    PropertyType = "class"   // 1–5, written 4, 4类, 四类 or IV
	TypeStake    PropertyType = "stake"   // a road stake: K12+345 is 12.345 km
	TypeGrade    PropertyType = "grade"   // a risk grade, compared in risk order
	TypeTime     PropertyType = "date-time"
	TypeGeometry PropertyType = "geometry"
	// TypeCoordinate is a longitude or latitude column of a table, read
	// with its CRS into the object's position.
	TypeCoordinate PropertyType = "coordinate"
)

// Numeric reports whether values of the type are numbers.
func (t PropertyType) Numeric() bool {
	return t == TypeNumber || t == TypeInteger || t == TypeClass || t == TypeStake
}

// Property is one entry of the catalogue.
type Property struct {
	Key  string       `json:"key"`
	Type PropertyType `json:"type"`
	ZH   string       `json:"zh"`
	EN   string       `json:"en"`
	Unit string       `json:"unit,omitempty"`
	// Categories the property belongs to; nil: every category.
	Categories []Category `json:"categories,omitempty"`
	// Aliases are the column headers an import takes for it, compared
	// after folding width, case, spaces and punctuation.
	Aliases []string `json:"aliases,omitempty"`
	// SQL reads a stored column of risk_object o (core properties that a
	// filter may name); "" for attributes, read from o.attributes.
	SQL string `json:"-"`
	// Import says an import maps columns to it; Filter that a filter
	// and the OGC queryables may name it. Attributes are both.
	Import bool `json:"import,omitempty"`
	Filter bool `json:"filter,omitempty"`
	// Required says an import needs it (lon and lat only for tables,
	// whose rows carry no geometry).
	Required bool `json:"required,omitempty"`
}

// Label is the property's name in lang ("zh" or "en"), with its unit.
func (p Property) Label(lang string) string {
	s := p.ZH
	if lang == "en" && p.EN != "" {
		s = p.EN
	}
	if p.Unit != "" {
		s += "(" + p.Unit + ")"
	}
	return s
}

// In reports whether the property belongs to category c.
func (p Property) In(c Category) bool {
	if p.Categories == nil {
		return true
	}
	for _, x := range p.Categories {
		if x == c {
			return true
		}
	}
	return false
}

// ObjectColumns are the properties every risk object has in columns of
// its own: what an import maps first, and what a filter names besides
// attributes. "id" is the object's number on the map; the file's own id
// is source_id (an import's mapping may still call it "id").
var ObjectColumns = []Property{
	{Key: "id", Type: TypeInteger, ZH: "编号", EN: "Feature id", SQL: "o.id", Filter: true},
	{Key: "source_id", Type: TypeText, ZH: "来源编号", EN: "Source id", SQL: "o.source_id", Import: true, Filter: true,
		Aliases: []string{"id", "编号", "编码", "代码", "统一社会信用代码", "社会信用代码", "信用代码", "uscc", "sourceid", "唯一标识", "标识码",
			"桥梁编码", "桥梁代码", "桥梁编号", "点段编号", "队伍编号", "场所编号", "企业编号", "资源编号"}},
	{Key: "name", Type: TypeText, ZH: "名称", EN: "Name", SQL: "o.name", Import: true, Filter: true, Required: true,
		Aliases: []string{"name", "名称", "单位名称", "企业名称", "单位", "桥梁名称", "桥名", "点段名称", "队伍名称", "场所名称",
			"避灾安置场所名称", "避难场所名称", "资源名称", "mc"}},
	{Key: "lon", Type: TypeCoordinate, ZH: "经度", EN: "Longitude", Import: true, Required: true,
		Aliases: []string{"lon", "lng", "long", "longitude", "经度", "东经", "x", "x坐标", "经度坐标", "坐标x"}},
	{Key: "lat", Type: TypeCoordinate, ZH: "纬度", EN: "Latitude", Import: true, Required: true,
		Aliases: []string{"lat", "latitude", "纬度", "北纬", "y", "y坐标", "纬度坐标", "坐标y"}},
	{Key: "county", Type: TypeText, ZH: "所属区县", EN: "County code", SQL: "o.county_code", Import: true, Filter: true,
		Aliases: []string{"county", "district", "所属区县", "区县", "县区", "所在区县", "县市区", "县(市、区)", "县（市、区）",
			"所属县市区", "行政区划", "行政区划代码", "区县代码", "adcode", "countycode"}},
	{Key: "grade", Type: TypeGrade, ZH: "风险等级", EN: "Grade", SQL: "o.grade", Import: true, Filter: true,
		Aliases: []string{"grade", "riskgrade", "risklevel", "风险等级", "风险级别", "风险分级", "等级", "四色等级", "风险颜色", "风险程度"}},
	{Key: "score", Type: TypeNumber, ZH: "风险值", EN: "Score", SQL: "o.score", Import: true, Filter: true,
		Aliases: []string{"score", "风险值", "评分", "得分", "分值", "d值", "r值"}},
	{Key: "method", Type: TypeText, ZH: "评估方法", EN: "Method", SQL: "o.method", Import: true, Filter: true,
		Aliases: []string{"method", "评估方法", "评价方法"}},
	{Key: "assessed_at", Type: TypeTime, ZH: "评估日期", EN: "Assessed at", SQL: "o.assessed_at", Import: true, Filter: true,
		Aliases: []string{"assessedat", "评估日期", "评估时间", "评定日期", "评价日期"}},
	{Key: "category", Type: TypeText, ZH: "类别", EN: "Category", SQL: "o.category::text", Filter: true},
	{Key: "source", Type: TypeText, ZH: "来源", EN: "Source", SQL: "o.source", Filter: true},
	{Key: "geometry", Type: TypeGeometry, ZH: "位置", EN: "Location", SQL: "o.geom", Filter: true},
}

// DivisionColumns are what an import of administrative divisions
// (category counties) maps.
var DivisionColumns = []Property{
	{Key: "code", Type: TypeText, ZH: "行政区划代码", EN: "Division code", Import: true, Required: true,
		Aliases: []string{"code", "adcode", "行政区划代码", "区划代码", "代码", "编码", "gb"}},
	{Key: "name", Type: TypeText, ZH: "名称", EN: "Name", Import: true, Required: true, Aliases: []string{"name", "名称", "行政区名称", "区县名称"}},
	{Key: "population", Type: TypeInteger, ZH: "人口", EN: "Population", Import: true,
		Aliases: []string{"population", "pop", "人口", "常住人口", "户籍人口", "pop2020census"}},
	{Key: "level", Type: TypeText, ZH: "级别", EN: "Level", Import: true, Aliases: []string{"level", "级别", "层级"}},
	{Key: "parent_code", Type: TypeText, ZH: "上级代码", EN: "Parent code", Import: true,
		Aliases: []string{"parent", "parentcode", "parentadcode", "上级代码", "上级行政区划代码"}},
}

// Attributes are the known attributes, category-specific ones first in
// display order, then those common to all (keys match the demo data's;
// ../shared/docs/domain.md §2). An object may carry others: they are
// shown and filtered under their own keys.
var Attributes = []Property{
	{Key: "industry", Type: TypeText, ZH: "行业", EN: "Industry", Categories: []Category{Enterprises}, Aliases: []string{"industry", "行业", "所属行业", "行业类别", "行业门类"}},
	{Key: "industry_code", Type: TypeText, ZH: "行业代码", EN: "Industry code", Categories: []Category{Enterprises}, Aliases: []string{"industrycode", "行业代码", "国民经济行业代码"}},
	{Key: "supervision_sector", Type: TypeText, ZH: "监管行业", EN: "Supervision sector", Categories: []Category{Enterprises}, Aliases: []string{"supervisionsector", "监管行业", "监管类别", "行业监管类别"}},
	{Key: "scale", Type: TypeText, ZH: "企业规模", EN: "Scale", Categories: []Category{Enterprises}, Aliases: []string{"scale", "企业规模", "规模"}},
	{Key: "employees", Type: TypeInteger, ZH: "从业人数", EN: "Employees", Categories: []Category{Enterprises}, Aliases: []string{"employees", "从业人数", "职工人数", "员工人数", "从业人员", "人数"}},
	{Key: "legal_representative", Type: TypeText, ZH: "法定代表人", EN: "Legal representative", Categories: []Category{Enterprises}, Aliases: []string{"legalrepresentative", "法定代表人", "法人", "法人代表"}},
	{Key: "main_responsible_person", Type: TypeText, ZH: "主要负责人", EN: "Main responsible person", Categories: []Category{Enterprises}},
	{Key: "park", Type: TypeText, ZH: "所在园区", EN: "Industrial park", Categories: []Category{Enterprises}},
	{Key: "uscc", Type: TypeText, ZH: "统一社会信用代码", EN: "Unified social credit code", Categories: []Category{Enterprises}},
	{Key: "standardization_level", Type: TypeText, ZH: "安全生产标准化等级", EN: "Safety standardisation level", Categories: []Category{Enterprises}, Aliases: []string{"standardizationlevel", "标准化等级", "安全生产标准化等级", "标准化级别"}},
	{Key: "standardization_expiry", Type: TypeText, ZH: "标准化有效期", EN: "Standardisation expiry", Categories: []Category{Enterprises}},
	{Key: "has_risk_register", Type: TypeText, ZH: "建立风险清单", EN: "Has risk register", Categories: []Category{Enterprises}},
	{Key: "major_hazard_source", Type: TypeText, ZH: "重大危险源", EN: "Major hazard installation", Categories: []Category{Enterprises}},
	{Key: "mhs_level", Type: TypeClass, ZH: "重大危险源等级", EN: "Major hazard level", Categories: []Category{Enterprises}, Aliases: []string{"mhslevel", "重大危险源等级", "重大危险源级别", "危险源等级"}},
	{Key: "hazardous_chemicals", Type: TypeText, ZH: "涉及危险化学品", EN: "Hazardous chemicals", Categories: []Category{Enterprises}},
	{Key: "dust_explosion", Type: TypeText, ZH: "涉爆粉尘", EN: "Combustible dust", Categories: []Category{Enterprises}},
	{Key: "ammonia_refrigeration", Type: TypeText, ZH: "涉氨制冷", EN: "Ammonia refrigeration", Categories: []Category{Enterprises}},
	{Key: "confined_space", Type: TypeText, ZH: "有限空间作业", EN: "Confined-space work", Categories: []Category{Enterprises}},
	{Key: "molten_metal", Type: TypeText, ZH: "高温熔融金属", EN: "Molten metal", Categories: []Category{Enterprises}},
	{Key: "open_hazards", Type: TypeText, ZH: "未整改隐患数", EN: "Open hidden hazards", Categories: []Category{Enterprises}},
	{Key: "accidents_3y", Type: TypeText, ZH: "近三年事故数", EN: "Accidents (3 years)", Categories: []Category{Enterprises}},
	{Key: "lec_l", Type: TypeNumber, ZH: "LEC 可能性 L", EN: "LEC likelihood L", Categories: []Category{Enterprises}, Aliases: []string{"lecl", "l值", "lec_l", "事故发生的可能性", "可能性l"}},
	{Key: "lec_e", Type: TypeNumber, ZH: "LEC 暴露频率 E", EN: "LEC exposure E", Categories: []Category{Enterprises}, Aliases: []string{"lece", "e值", "lec_e", "暴露于危险环境的频繁程度", "暴露频繁程度e"}},
	{Key: "lec_c", Type: TypeNumber, ZH: "LEC 后果 C", EN: "LEC consequence C", Categories: []Category{Enterprises}, Aliases: []string{"lecc", "c值", "lec_c", "发生事故产生的后果", "后果c"}},
	{Key: "ls_l", Type: TypeNumber, ZH: "风险矩阵 可能性 L", EN: "Risk matrix likelihood L", Categories: []Category{Enterprises}, Aliases: []string{"lsl", "ls_l", "风险矩阵l", "矩阵可能性"}},
	{Key: "ls_s", Type: TypeNumber, ZH: "风险矩阵 严重性 S", EN: "Risk matrix severity S", Categories: []Category{Enterprises}, Aliases: []string{"lss", "ls_s", "风险矩阵s", "矩阵严重性"}},
	{Key: "mes_m", Type: TypeNumber, ZH: "MES 控制措施 M", EN: "MES control measures M", Categories: []Category{Enterprises}, Aliases: []string{"mesm", "mes_m", "m值", "控制措施状态m"}},
	{Key: "mes_e", Type: TypeNumber, ZH: "MES 暴露频次 E", EN: "MES exposure E", Categories: []Category{Enterprises}, Aliases: []string{"mese", "mes_e", "mes e值", "暴露频次e"}},
	{Key: "mes_s", Type: TypeNumber, ZH: "MES 后果 S", EN: "MES consequence S", Categories: []Category{Enterprises}, Aliases: []string{"mess", "mes_s", "mes s值", "事故后果s"}},
	{Key: "hazchem_score", Type: TypeNumber, ZH: "危化品评估诊断得分", EN: "Hazardous-chemicals diagnosis score", Categories: []Category{Enterprises}, Aliases: []string{"hazchemscore", "诊断评分", "评估诊断得分", "安全风险评估诊断分值", "诊断分值"}},
	{Key: "hazchem_direct_red", Type: TypeInteger, ZH: "直接判定红色", EN: "Directly red (diagnosis)", Categories: []Category{Enterprises}, Aliases: []string{"hazchemdirectred", "直接判定红色", "直接判定为红色"}},
	{Key: "mhs_r", Type: TypeNumber, ZH: "重大危险源 R 值", EN: "Major hazard R value", Categories: []Category{Enterprises}, Aliases: []string{"mhsr", "重大危险源r值", "危险源r值"}},
	{Key: "bridge_code", Type: TypeText, ZH: "桥梁编码", EN: "Bridge code", Categories: []Category{Bridges}},
	{Key: "route_code", Type: TypeText, ZH: "路线编号", EN: "Route code", Categories: []Category{Bridges}, Aliases: []string{"routecode", "路线编号", "路线代码", "路线编码"}},
	{Key: "route_level", Type: TypeText, ZH: "路线行政等级", EN: "Route level", Categories: []Category{Bridges}},
	{Key: "stake_km", Type: TypeStake, ZH: "中心桩号", EN: "Chainage", Unit: "km", Categories: []Category{Bridges}, Aliases: []string{"stakekm", "桩号", "中心桩号", "桥梁中心桩号"}},
	{Key: "structure", Type: TypeText, ZH: "结构类型", EN: "Structure", Categories: []Category{Bridges}, Aliases: []string{"structure", "结构类型", "桥型", "上部结构类型", "桥梁类型"}},
	{Key: "structure_type", Type: TypeText, ZH: "结构类型", EN: "Structure type", Categories: []Category{Bridges}},
	{Key: "crossing", Type: TypeText, ZH: "跨越对象", EN: "Crossing", Categories: []Category{Bridges}},
	{Key: "on_ou_river", Type: TypeText, ZH: "跨瓯江", EN: "Crosses the Ou River", Categories: []Category{Bridges}},
	{Key: "total_length_m", Type: TypeNumber, ZH: "桥长", EN: "Total length", Unit: "m", Categories: []Category{Bridges}, Aliases: []string{"totallengthm", "length", "桥长", "桥梁全长", "全长", "桥梁长度"}},
	{Key: "max_span_m", Type: TypeNumber, ZH: "最大跨径", EN: "Max span", Unit: "m", Categories: []Category{Bridges}, Aliases: []string{"maxspanm", "最大跨径", "最大单孔跨径"}},
	{Key: "deck_width_m", Type: TypeText, ZH: "桥面宽度", EN: "Deck width", Unit: "m", Categories: []Category{Bridges}},
	{Key: "size_class", Type: TypeText, ZH: "按跨径分类", EN: "Size class", Categories: []Category{Bridges}, Aliases: []string{"sizeclass", "按跨径分类", "桥梁分类", "跨径分类"}},
	{Key: "design_load", Type: TypeText, ZH: "设计荷载", EN: "Design load", Categories: []Category{Bridges}},
	{Key: "tech_class", Type: TypeClass, ZH: "技术状况等级", EN: "Technical condition class", Categories: []Category{Bridges}, Aliases: []string{"techclass", "技术状况等级", "技术状况评定等级", "技术状况", "评定等级", "桥梁技术状况"}},
	{Key: "dr_score", Type: TypeNumber, ZH: "技术状况评分(Dr)", EN: "Condition score (Dr)", Categories: []Category{Bridges}, Aliases: []string{"dr", "drscore", "技术状况评分", "dr值", "评分dr"}},
	{Key: "aadt", Type: TypeText, ZH: "年平均日交通量", EN: "AADT", Categories: []Category{Bridges}},
	{Key: "maintenance_unit", Type: TypeText, ZH: "管养单位", EN: "Maintenance unit", Categories: []Category{Bridges}},
	{Key: "load_limit_t", Type: TypeText, ZH: "限载", EN: "Load limit", Unit: "t", Categories: []Category{Bridges}},
	{Key: "speed_limit_kmh", Type: TypeText, ZH: "限速", EN: "Speed limit", Unit: "km/h", Categories: []Category{Bridges}},
	{Key: "height_limit_m", Type: TypeText, ZH: "限高", EN: "Height limit", Unit: "m", Categories: []Category{Bridges}},
	{Key: "closed", Type: TypeText, ZH: "封闭交通", EN: "Closed to traffic", Categories: []Category{Bridges}},
	{Key: "main_defects", Type: TypeText, ZH: "主要病害", EN: "Main defects", Categories: []Category{Bridges}},
	{Key: "road", Type: TypeText, ZH: "道路", EN: "Road", Categories: []Category{BlackSpots}, Aliases: []string{"road", "道路名称", "路线名称", "所在道路"}},
	{Key: "road_name", Type: TypeText, ZH: "道路名称", EN: "Road name", Categories: []Category{BlackSpots}},
	{Key: "road_grade", Type: TypeText, ZH: "道路技术等级", EN: "Road grade", Categories: []Category{BlackSpots}},
	{Key: "class", Type: TypeText, ZH: "类别", EN: "Class", Categories: []Category{BlackSpots}, Aliases: []string{"class", "类别", "点段类别", "多发点段类别"}},
	{Key: "blackspot_class", Type: TypeText, ZH: "多发点段类别", EN: "Black-spot class", Categories: []Category{BlackSpots}},
	{Key: "segment_type", Type: TypeText, ZH: "点/段", EN: "Point or segment", Categories: []Category{BlackSpots}},
	{Key: "spot_type", Type: TypeText, ZH: "点/段", EN: "Point or segment", Categories: []Category{BlackSpots}},
	{Key: "main_cause", Type: TypeText, ZH: "主要成因", EN: "Main cause", Categories: []Category{BlackSpots}},
	{Key: "n_accidents_3y", Type: TypeInteger, ZH: "近三年事故起数", EN: "Accidents (3 years)", Categories: []Category{BlackSpots}, Aliases: []string{"naccidents3y", "事故起数", "近三年事故数", "事故数"}},
	{Key: "n_fatal_3y", Type: TypeInteger, ZH: "近三年死亡事故起数", EN: "Fatal accidents (3 years)", Categories: []Category{BlackSpots}, Aliases: []string{"nfatal3y", "死亡事故数", "亡人事故数"}},
	{Key: "n_deaths_3y", Type: TypeInteger, ZH: "近三年死亡人数", EN: "Deaths (3 years)", Categories: []Category{BlackSpots}, Aliases: []string{"ndeaths3y", "死亡人数"}},
	{Key: "n_injury_3y", Type: TypeInteger, ZH: "近三年伤人事故起数", EN: "Injury accidents (3 years)", Categories: []Category{BlackSpots}, Aliases: []string{"ninjury3y", "受伤人数"}},
	{Key: "length_m", Type: TypeText, ZH: "长度", EN: "Length", Unit: "m", Categories: []Category{BlackSpots}},
	{Key: "accidents", Type: TypeText, ZH: "事故起数", EN: "Accidents", Categories: []Category{BlackSpots}},
	{Key: "accidents_36m", Type: TypeText, ZH: "近三年事故起数", EN: "Accidents (36 months)", Categories: []Category{BlackSpots}},
	{Key: "fatal_accidents", Type: TypeText, ZH: "死亡事故起数", EN: "Fatal accidents", Categories: []Category{BlackSpots}},
	{Key: "deaths", Type: TypeText, ZH: "死亡人数", EN: "Deaths", Categories: []Category{BlackSpots}},
	{Key: "injuries", Type: TypeText, ZH: "受伤人数", EN: "Injuries", Categories: []Category{BlackSpots}},
	{Key: "treatment_status", Type: TypeText, ZH: "治理状态", EN: "Treatment status", Categories: []Category{BlackSpots}, Aliases: []string{"treatmentstatus", "治理状态", "整治情况", "治理情况"}},
	{Key: "treatment_measures", Type: TypeText, ZH: "治理措施", EN: "Treatment measures", Categories: []Category{BlackSpots}},
	{Key: "responsible_department", Type: TypeText, ZH: "责任部门", EN: "Responsible department", Categories: []Category{BlackSpots}},
	{Key: "team_type", Type: TypeText, ZH: "队伍类型", EN: "Team type", Categories: []Category{RescueResources}, Aliases: []string{"teamtype", "队伍类型", "专业类别", "救援类型", "类型"}},
	{Key: "kind", Type: TypeText, ZH: "资源类型", EN: "Kind", Categories: []Category{RescueResources}, Aliases: []string{"kind", "资源类型", "资源类别"}},
	{Key: "resource_kind", Type: TypeText, ZH: "资源类型", EN: "Resource kind", Categories: []Category{RescueResources}},
	{Key: "headcount", Type: TypeInteger, ZH: "人数", EN: "Headcount", Categories: []Category{RescueResources}, Aliases: []string{"headcount", "人数", "队员人数", "救援人员数", "总人数", "人员数量"}},
	{Key: "personnel_total", Type: TypeText, ZH: "总人数", EN: "Personnel", Categories: []Category{RescueResources}},
	{Key: "personnel_on_duty", Type: TypeInteger, ZH: "在岗人数", EN: "On duty", Categories: []Category{RescueResources}, Aliases: []string{"personnelonduty", "在岗人数", "值班人数"}},
	{Key: "vehicles", Type: TypeText, ZH: "车辆数", EN: "Vehicles", Categories: []Category{RescueResources}},
	{Key: "equipment", Type: TypeText, ZH: "主要装备", EN: "Main equipment", Categories: []Category{RescueResources}},
	{Key: "capabilities", Type: TypeText, ZH: "救援能力", EN: "Capabilities", Categories: []Category{RescueResources}},
	{Key: "type_rank", Type: TypeText, ZH: "能力等级", EN: "Capability rank", Categories: []Category{RescueResources}},
	{Key: "prep_time_min", Type: TypeText, ZH: "出动准备时间", EN: "Mobilisation time", Unit: "min", Categories: []Category{RescueResources}},
	{Key: "service_area", Type: TypeText, ZH: "服务范围", EN: "Service area", Categories: []Category{RescueResources}},
	{Key: "mutual_aid", Type: TypeText, ZH: "跨区增援", EN: "Cross-county mutual aid", Categories: []Category{RescueResources}},
	{Key: "tier", Type: TypeText, ZH: "场所级别", EN: "Tier", Categories: []Category{Shelters}, Aliases: []string{"tier", "场所级别", "级别", "层级"}},
	{Key: "gb21734_class", Type: TypeText, ZH: "避难场所类别(GB 21734)", EN: "GB 21734 class", Categories: []Category{Shelters}},
	{Key: "shelter_form", Type: TypeText, ZH: "场所形式", EN: "Form", Categories: []Category{Shelters}},
	{Key: "host_facility", Type: TypeText, ZH: "依托设施", EN: "Host facility", Categories: []Category{Shelters}, Aliases: []string{"hostfacility", "依托设施", "场所类型", "依托单位"}},
	{Key: "capacity_persons", Type: TypeInteger, ZH: "容纳人数", EN: "Capacity (persons)", Categories: []Category{Shelters}, Aliases: []string{"capacitypersons", "capacity", "容纳人数", "可容纳人数", "容量", "设计容量"}},
	{Key: "building_area_m2", Type: TypeText, ZH: "建筑面积", EN: "Building area", Unit: "m²", Categories: []Category{Shelters}},
	{Key: "effective_area_m2", Type: TypeNumber, ZH: "有效避难面积", EN: "Effective area", Unit: "m²", Categories: []Category{Shelters}, Aliases: []string{"effectiveaream2", "有效面积", "面积", "使用面积", "有效避难面积"}},
	{Key: "occupancy", Type: TypeText, ZH: "当前安置人数", EN: "Current occupancy", Categories: []Category{Shelters}},
	{Key: "facilities", Type: TypeText, ZH: "配套设施", EN: "Facilities", Categories: []Category{Shelters}},
	{Key: "form", Type: TypeText, ZH: "场所形式", EN: "Form", Categories: []Category{Shelters}, Aliases: []string{"form", "场所形式", "类型"}},
	{Key: "address", Type: TypeText, ZH: "地址", EN: "Address", Aliases: []string{"address", "地址", "详细地址", "经营地址", "注册地址", "生产经营地址"}},
	{Key: "phone", Type: TypeText, ZH: "电话", EN: "Phone", Aliases: []string{"phone", "tel", "联系电话", "电话", "手机", "值班电话"}},
	{Key: "contact", Type: TypeText, ZH: "联系人", EN: "Contact"},
	{Key: "contact_phone", Type: TypeText, ZH: "联系电话", EN: "Contact phone"},
	{Key: "duty_phone", Type: TypeText, ZH: "值班电话", EN: "Duty phone"},
	{Key: "manager", Type: TypeText, ZH: "负责人", EN: "Manager", Aliases: []string{"manager", "负责人", "管理人", "联系人"}},
	{Key: "manager_phone", Type: TypeText, ZH: "负责人电话", EN: "Manager phone"},
	{Key: "organisation", Type: TypeText, ZH: "所属单位", EN: "Organisation", Aliases: []string{"organisation", "organization", "所属单位", "主管单位", "隶属单位"}},
	{Key: "organization", Type: TypeText, ZH: "所属单位", EN: "Organisation"},
	{Key: "status", Type: TypeText, ZH: "状态", EN: "Status", Aliases: []string{"status", "状态", "队伍状态"}},
	{Key: "township", Type: TypeText, ZH: "乡镇（街道）", EN: "Township"},
	{Key: "township_code", Type: TypeText, ZH: "乡镇代码", EN: "Township code"},
	{Key: "county_code", Type: TypeText, ZH: "区县代码", EN: "County code"},
	{Key: "remark", Type: TypeText, ZH: "备注", EN: "Remark"},
	{Key: "remarks", Type: TypeText, ZH: "备注", EN: "Remarks"},
	{Key: "note", Type: TypeText, ZH: "备注", EN: "Note"},
	{Key: "description", Type: TypeText, ZH: "说明", EN: "Description"},
	{Key: "year_built", Type: TypeInteger, ZH: "建成年份", EN: "Year built", Aliases: []string{"yearbuilt", "建成年份", "修建年度", "建成年限", "建成时间", "建成年度"}},
	{Key: "last_inspection_date", Type: TypeText, ZH: "最近检查日期", EN: "Last inspection"},
}

func init() {
	for i := range Attributes {
		Attributes[i].Import, Attributes[i].Filter = true, true
	}
}

// AttributesOf lists the known attributes of category c in display order.
func AttributesOf(c Category) []Property {
	var out []Property
	for _, p := range Attributes {
		if p.In(c) {
			out = append(out, p)
		}
	}
	return out
}

// ImportTargets lists what an import of category maps columns to: the
// object's columns then the category's attributes, or for "counties"
// the divisions'.
func ImportTargets(category string) []Property {
	if category == string(Counties) {
		return DivisionColumns
	}
	c := Category(category)
	var out []Property
	for _, p := range ObjectColumns {
		if p.Import {
			out = append(out, p)
		}
	}
	return append(out, AttributesOf(c)...)
}

// ObjectColumn finds a property stored in a column of risk_object that a
// filter may name ("geom" is geometry's other name).
func ObjectColumn(key string) (Property, bool) {
	if key == "geom" {
		key = "geometry"
	}
	for _, p := range ObjectColumns {
		if p.Key == key && p.Filter {
			return p, true
		}
	}
	return Property{}, false
}
