package demo

import (
	"fmt"
	"strings"
)

// tradeNames are enterprise 字号 (trade names).
var tradeNames = []string{
	"宏达", "金鑫", "华瑞", "恒通", "瑞丰", "博远", "鼎盛", "兴旺", "鸿运", "利民",
	"天成", "联创", "万顺", "新亚", "盛达", "精工", "通达", "德力", "凯鑫", "明辉",
	"润泽", "富源", "嘉禾", "立信", "华泰", "荣盛", "远大", "众诚", "永盛", "昌隆",
	"泰和", "宏源", "恒丰", "佳美", "丰华", "金桥", "银峰", "瓯鑫", "绿源", "山海",
	"浩宇", "鑫源", "晨光", "正兴", "东升", "海峰", "宏业", "锦程", "欣达", "力诚",
	"合盛", "创新", "三友", "星河", "万通", "巨龙", "飞达", "顺发", "和信", "世纪",
	"青峰", "丽源", "瓯宝", "九龙", "仙都", "百川", "金海", "辰宇", "汇通", "永固",
}

// streetNames are used in synthetic addresses.
var streetNames = []string{
	"工业路", "兴业路", "创业大道", "园区路", "人民路", "解放街", "新华路", "府前路",
	"江滨路", "中山街", "振兴路", "发展大道", "开发路", "建设路", "城东路", "东升路",
	"环城北路", "环城南路", "滨江路", "文化路", "花园路", "育才路", "商贸路", "胜利街",
}

var surnames = []string{
	"叶", "吴", "陈", "李", "王", "周", "刘", "张", "潘", "雷", "蓝", "毛", "徐", "季",
	"杨", "林", "金", "朱", "何", "郑", "胡", "蒋", "应", "梅", "蔡", "项", "练", "邱",
}

var givenChars = []string{
	"建", "国", "伟", "军", "华", "明", "海", "平", "志", "强", "丽", "芳", "红", "英",
	"俊", "杰", "斌", "勇", "涛", "敏", "静", "霞", "峰", "林", "文", "忠", "春", "秀",
	"晓", "东", "飞", "鹏", "辉", "新", "瑞", "琴", "燕", "波", "刚", "荣",
}

// personName returns a plausible, made-up Chinese personal name.
func (r *rnd) personName() string {
	n := pick(r, surnames) + pick(r, givenChars)
	if r.chance(0.75) {
		n += pick(r, givenChars)
	}
	return n
}

var villagePrefix = []string{
	"上", "下", "大", "小", "新", "高", "石", "竹", "杨", "梅", "桃", "里", "外", "东",
	"西", "南", "北", "前", "后", "黄", "吴", "叶", "周", "陈", "金", "林", "张", "潘",
	"岭", "溪", "坑", "白", "青", "松", "枫", "茶", "桥", "水", "山", "龙",
}

var villageSuffix = []string{
	"坑", "垟", "岙", "坪", "源", "岭", "溪", "田", "山", "湾", "庄", "头", "根", "底",
	"坞", "垄", "寮", "洋", "畈", "口", "岗", "塘", "桥", "圩", "岭脚", "坑口", "山头", "溪口",
}

// villageName returns a made-up village name such as 黄坑村 or 上岭脚村.
func (r *rnd) villageName() string {
	p, s := pick(r, villagePrefix), pick(r, villageSuffix)
	for strings.HasPrefix(s, p) {
		s = pick(r, villageSuffix)
	}
	return p + s + "村"
}

// phonePrefix is the first digit of local numbers per county (area code
// 0578). Plausible, not checked against the numbering plan.
var phonePrefix = map[string]string{
	"331102": "2", "331121": "6", "331122": "3", "331123": "8", "331124": "8",
	"331125": "5", "331126": "6", "331127": "5", "331181": "7",
}

// phone returns a fake but plausible fixed-line number, e.g. 0578-2123456.
func (r *rnd) phone(county string) string {
	p := phonePrefix[county]
	if p == "" {
		p = "2"
	}
	return fmt.Sprintf("0578-%s%06d", p, r.IntN(1000000))
}

// nameSet makes names unique by appending a suffix on collision.
type nameSet map[string]bool

// unique returns name, or name with suffix(n) for the smallest n ≥ 2 that
// makes it unused; the result is marked used.
func (s nameSet) unique(name string, suffix func(n int) string) string {
	out := name
	for n := 2; s[out]; n++ {
		out = name + suffix(n)
	}
	s[out] = true
	return out
}

// --- 统一社会信用代码 (GB 32100-2015) ---

// usccChars is the USCC alphabet; a character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccCheck returns the GB 32100 check character of the first 17
// characters of a USCC, or 0 when they contain a character outside the
// alphabet.
func usccCheck(s17 string) byte {
	if len(s17) != 17 {
		return 0
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(usccChars, s17[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// orgCodeCheck returns the GB 11714 check character of an 8-character
// organisation code body (digits 0–9, letters A=10 … Z=35).
func orgCodeCheck(body string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// uscc returns a made-up 18-character USCC for an enterprise (登记管理部门
// 9 = 市场监管, 机构类别 1 = 企业) registered in county, with a valid GB 11714
// organisation-code check character and GB 32100 check character.
func (r *rnd) uscc(county string) string {
	var body string
	if r.chance(0.65) {
		// Codes issued since 2015: MA + 6 alphanumerics.
		b := []byte("MA")
		for range 6 {
			b = append(b, usccChars[r.IntN(len(usccChars))])
		}
		body = string(b)
	} else {
		body = fmt.Sprintf("%d%07d", r.intIn(1, 7), r.IntN(10000000))
	}
	s17 := "91" + county + body + string(orgCodeCheck(body))
	return s17 + string(usccCheck(s17))
}
