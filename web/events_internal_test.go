package web

import (
	"reflect"
	"testing"

	"riskmap/geo"
	"riskmap/tiles"
)

func TestDescribe(t *testing.T) {
	grade := `{"kind": "grade_changed", "objects": [{"id": 7, "to": "red"}], "more": 0}`
	tests := []struct {
		name     string
		payloads []string
		bbox     *[4]float64
		kinds    []string
	}{
		{"a poll: anywhere", nil, nil, nil},
		{"one box", []string{`{"layers": ["bridges"], "bbox": [119, 28, 119.5, 28.5]}`}, &[4]float64{119, 28, 119.5, 28.5}, nil},
		{"two boxes: their union", []string{`{"layers": ["bridges"], "bbox": [119, 28, 119.5, 28.5]}`, `{"layers": ["shelters"], "bbox": [118.9, 28.2, 119.2, 28.7]}`},
			&[4]float64{118.9, 28, 119.5, 28.7}, nil},
		{"a box and a bulk import: anywhere", []string{`{"layers": ["bridges"], "bbox": [119, 28, 119.5, 28.5]}`, `{"layers": ["bridges"], "bbox": null}`}, nil, nil},
		{"object events in order", []string{grade, `{"kind": "hazard_overdue", "hazards": []}`, `{"layers": ["enterprises"], "bbox": [1, 2, 1, 2]}`},
			&[4]float64{1, 2, 1, 2}, []string{"grade_changed", "hazard_overdue"}},
		{"an older riskmap's payload: anywhere", []string{"enterprises,counties"}, nil, nil},
		{"an unknown kind is not passed on", []string{`{"kind": "secret"}`}, nil, nil},
		{"a dispatch", []string{`{"kind": "dispatch", "incident_id": 3, "action": "assigned", "resources": [9], "status": "responding"}`,
			`{"layers": ["rescue_resources", "incidents"], "bbox": [119, 28, 119.1, 28.1]}`}, &[4]float64{119, 28, 119.1, 28.1}, []string{"dispatch"}},
		{"a position fix where the resource was: no layer", []string{`{"kind": "position", "resource_id": 9, "lon": 119.9, "lat": 28.4, "recorded_at": "2026-01-05T10:00:00+08:00", "status": "available"}`},
			nil, []string{"position"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := describe(tiles.Change{Payloads: tc.payloads}, func(geo.Layer) bool { return true }, "")
			if !reflect.DeepEqual(d.bbox, tc.bbox) {
				t.Errorf("bbox %v, want %v", d.bbox, tc.bbox)
			}
			var kinds []string
			for _, o := range d.objects {
				kinds = append(kinds, o.kind)
			}
			if !reflect.DeepEqual(kinds, tc.kinds) {
				t.Errorf("object events %v, want %v", kinds, tc.kinds)
			}
		})
	}
}

// TestDescribeRestricted: a client that may not read rescue_resources
// hears neither where they changed nor which of them changed grade.
func TestDescribeRestricted(t *testing.T) {
	readable := func(l geo.Layer) bool { return l != "rescue_resources" }
	d := describe(tiles.Change{Payloads: []string{
		`{"kind": "grade_changed", "objects": [{"id": 1, "category": "rescue_resources", "to": "red"}, {"id": 2, "category": "bridges", "to": "red"}], "more": 0}`,
		`{"kind": "grade_changed", "objects": [{"id": 3, "category": "rescue_resources", "to": "red"}], "more": 0}`,
		`{"layers": ["rescue_resources", "counties"], "bbox": [119, 28, 119, 28]}`,
		`{"layers": ["bridges", "counties"], "bbox": [120, 28, 120, 28]}`,
	}}, readable, "")
	if d.bbox != nil {
		t.Errorf("bbox %v: a restricted layer's change must count as anywhere", *d.bbox)
	}
	if len(d.objects) != 1 || string(d.objects[0].data) != `{"kind":"grade_changed","more":0,"objects":[{"id":2,"category":"bridges","to":"red"}]}` {
		t.Errorf("object events %+v, want only bridge 2", d.objects)
	}
	// A dispatch names resources: not for who may not see them.
	d = describe(tiles.Change{Payloads: []string{`{"kind": "dispatch", "incident_id": 3, "action": "assigned", "resources": [9]}`}}, readable, "")
	if len(d.objects) != 0 {
		t.Errorf("dispatch event %+v passed on to a client that may not read rescue_resources", d.objects)
	}
	// Nor does a position fix.
	d = describe(tiles.Change{Payloads: []string{`{"kind": "position", "resource_id": 9, "lon": 119.9, "lat": 28.4}`}}, readable, "")
	if len(d.objects) != 0 {
		t.Errorf("position event %+v passed on to a client that may not read rescue_resources", d.objects)
	}
}

// TestDescribeInDivision: a client limited to county A (331102) hears of
// the objects, hazards, dispatches and positions of county A and its
// townships only, and never where a change was.
func TestDescribeInDivision(t *testing.T) {
	all := func(geo.Layer) bool { return true }
	tests := []struct {
		name    string
		payload string
		want    string // the object event passed on; "" none
	}{
		{"grades: only A's", `{"kind": "grade_changed", "objects": [{"id": 1, "category": "bridges", "division": "331122", "to": "red"}, {"id": 2, "category": "bridges", "division": "331102001", "to": "red"}], "more": 0}`,
			`{"kind":"grade_changed","more":0,"objects":[{"id":2,"category":"bridges","division":"331102001","to":"red"}]}`},
		{"grades: none of A's", `{"kind": "grade_changed", "objects": [{"id": 1, "category": "bridges", "division": "331122", "to": "red"}], "more": 0}`, ""},
		{"an object in no division", `{"kind": "grade_changed", "objects": [{"id": 1, "category": "bridges", "division": "", "to": "red"}], "more": 0}`, ""},
		{"overdue hazards: only A's", `{"kind": "hazard_overdue", "hazards": [{"id": 4, "division": "331102"}, {"id": 5, "division": "339901"}], "more": 3}`,
			`{"hazards":[{"id":4,"division":"331102"}],"kind":"hazard_overdue","more":0}`},
		{"a dispatch of B's", `{"kind": "dispatch", "incident_id": 3, "resources": [9], "divisions": ["331122"]}`, ""},
		{"a dispatch of A's team to B", `{"kind": "dispatch", "incident_id": 3, "resources": [9], "divisions": ["331122", "331102"]}`,
			`{"kind": "dispatch", "incident_id": 3, "resources": [9], "divisions": ["331122", "331102"]}`},
		{"B's team's fix", `{"kind": "position", "resource_id": 9, "division": "331122"}`, ""},
		{"A's team's fix", `{"kind": "position", "resource_id": 9, "division": "331102"}`, `{"kind": "position", "resource_id": 9, "division": "331102"}`},
		{"B's tasks", `{"kind": "tasks", "divisions": ["331122", "331100"]}`, ""},
		{"A's tasks, from the city", `{"kind": "tasks", "divisions": ["331100", "331102001"]}`, `{"divisions":["331102001"],"kind":"tasks"}`},
		{"tasks of too many to name", `{"kind": "tasks", "divisions": null}`, `{"divisions":[],"kind":"tasks"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := describe(tiles.Change{Payloads: []string{tc.payload}}, all, "331102")
			got := ""
			if len(d.objects) > 0 {
				got = string(d.objects[0].data)
			}
			if got != tc.want {
				t.Errorf("passed on %s, want %s", got, tc.want)
			}
		})
	}
	d := describe(tiles.Change{Payloads: []string{`{"layers": ["bridges"], "bbox": [119, 28, 119.5, 28.5]}`}}, all, "331102")
	if d.bbox != nil {
		t.Errorf("a client limited to a division was told where: %v", *d.bbox)
	}
}
