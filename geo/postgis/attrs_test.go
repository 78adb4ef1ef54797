package postgis

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestAppendAttributes(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"empty", map[string]any{}, `{}`},
		{"sorted keys", map[string]any{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{"chinese", map[string]any{"所属行业": "阀门", "从业人数": 25.0}, `{"从业人数":25,"所属行业":"阀门"}`},
		{"escapes", map[string]any{"k": "a\"b\\c\nd\te\x01"}, `{"k":"a\"b\\c\nd\te\u0001"}`},
		{"big and small numbers", map[string]any{"a": 1e21, "b": 0.000001, "c": -3.5}, `{"a":1e+21,"b":1e-06,"c":-3.5}`},
		{"invalid utf-8", map[string]any{"k": "a\xffb"}, "{\"k\":\"a\ufffdb\"}"},
		{"other types fall back", map[string]any{"ok": true, "n": 2.0}, `{"n":2,"ok":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendAttributes(nil, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			assertSameJSON(t, got, tc.in)
		})
	}
}

// assertSameJSON checks that b decodes to what encoding/json makes of m.
func assertSameJSON(t *testing.T, b []byte, m map[string]any) {
	t.Helper()
	ref, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s is not JSON: %v", b, err)
	}
	json.Unmarshal(ref, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s decodes to %v; encoding/json gives %s", b, got, ref)
	}
}

// FuzzAppendAttributes checks any key and value against encoding/json.
func FuzzAppendAttributes(f *testing.F) {
	f.Add("名称", "值", 1.5)
	f.Add("a\"", "\x00\xff\u2028", -0.0)
	f.Fuzz(func(t *testing.T, k, v string, x float64) {
		m := map[string]any{k: v, k + "#": x}
		b, err := appendAttributes(nil, m)
		_, refErr := json.Marshal(m)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("error %v, encoding/json %v", err, refErr)
		}
		if err == nil {
			assertSameJSON(t, b, m)
		}
	})
}
