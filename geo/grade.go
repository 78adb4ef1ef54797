package geo

import (
	"fmt"
	"strings"
)

// Grade is a four-colour risk grade. The zero value is Unassessed (grey),
// which is never the same as low risk. Grades are ordered: Blue < Yellow <
// Orange < Red, and Unassessed sorts below all of them.
type Grade uint8

// The grades, in ascending order of risk.
const (
	Unassessed Grade = iota // 未评估, grey
	Blue                    // 低风险
	Yellow                  // 一般风险
	Orange                  // 较大风险
	Red                     // 重大风险
)

// AllGrades lists every grade, Unassessed first, then ascending risk.
var AllGrades = []Grade{Unassessed, Blue, Yellow, Orange, Red}

var gradeCodes = [...]string{"unassessed", "blue", "yellow", "orange", "red"}

// String returns the grade's code: "unassessed", "blue", "yellow",
// "orange" or "red".
func (g Grade) String() string {
	if int(g) < len(gradeCodes) {
		return gradeCodes[g]
	}
	return fmt.Sprintf("Grade(%d)", uint8(g))
}

// NameZH returns the Chinese name of the grade (重大风险 …, 未评估).
func (g Grade) NameZH() string {
	return [...]string{"未评估", "低风险", "一般风险", "较大风险", "重大风险"}[g%5]
}

// Colour returns the display colour as #RRGGBB.
func (g Grade) Colour() string {
	return [...]string{"#9E9E9E", "#1E6FD9", "#FFD700", "#FF7F00", "#E60012"}[g%5]
}

// Assessed reports whether g is one of the four colours.
func (g Grade) Assessed() bool { return g >= Blue && g <= Red }

// ParseGrade reads a grade from its code (red, orange, yellow, blue,
// unassessed), its colour (红, 橙, 黄, 蓝) or its Chinese name (重大, 较大,
// 一般, 低, with or without 风险; 较小 is the transport sector's word for
// 低). The empty string is Unassessed. Anything else is an error wrapping
// ErrInvalid.
func ParseGrade(s string) (Grade, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "风险")
	t = strings.TrimSuffix(t, "色")
	switch t {
	case "", "unassessed", "未评估", "grey", "gray", "灰":
		return Unassessed, nil
	case "blue", "蓝", "低", "较小":
		return Blue, nil
	case "yellow", "黄", "一般":
		return Yellow, nil
	case "orange", "橙", "较大":
		return Orange, nil
	case "red", "红", "重大":
		return Red, nil
	}
	return Unassessed, fmt.Errorf("%w: unknown grade %q (want red, orange, yellow, blue or unassessed)", ErrInvalid, s)
}

// MarshalText implements encoding.TextMarshaler.
func (g Grade) MarshalText() ([]byte, error) {
	if int(g) >= len(gradeCodes) {
		return nil, fmt.Errorf("%w: grade %d out of range", ErrInvalid, uint8(g))
	}
	return []byte(gradeCodes[g]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseGrade.
func (g *Grade) UnmarshalText(b []byte) error {
	v, err := ParseGrade(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}
