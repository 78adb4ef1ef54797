package postgis

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendAttributes appends m as a JSON object to buf, keys sorted. It
// writes strings and finite numbers itself, without reflection (an import
// encodes a million of these); any other value goes through
// encoding/json.
func appendAttributes(buf []byte, m map[string]any) ([]byte, error) {
	var keys [16]string
	ks := keys[:0]
	for k, v := range m {
		switch x := v.(type) {
		case string:
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return appendMarshalled(buf, m)
			}
		default:
			return appendMarshalled(buf, m)
		}
		ks = append(ks, k)
	}
	slices.Sort(ks)
	buf = append(buf, '{')
	for i, k := range ks {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		switch x := m[k].(type) {
		case string:
			buf = appendJSONString(buf, x)
		case float64:
			buf = strconv.AppendFloat(buf, x, 'g', -1, 64)
		}
	}
	return append(buf, '}'), nil
}

func appendMarshalled(buf []byte, m map[string]any) ([]byte, error) {
	b, err := json.Marshal(m)
	return append(buf, b...), err
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
