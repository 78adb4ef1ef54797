package geo

import (
	"errors"
	"slices"
	"testing"
)

func TestChildToward(t *testing.T) {
	tests := []struct {
		name, under, code, want string
	}{
		{"a county of its city", "331100", "331102", "331102"},
		{"a township to its county", "331100", "331102001", "331102"},
		{"a township of its county", "331102", "331102001", "331102001"},
		{"a village to its city", "330000", "331102001002", "331100"},
		{"the division itself", "331102", "331102", ""},
		{"another city's", "331100", "339901", ""},
		{"the whole deployment: by county", "", "331102001", "331102"},
		{"the whole deployment: a city's own", "", "331100", "331100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ChildToward(tc.under, tc.code); got != tc.want {
				t.Errorf("ChildToward(%q, %q) = %q, want %q", tc.under, tc.code, got, tc.want)
			}
		})
	}
}

func TestRollUp(t *testing.T) {
	counts := []SupervisionSummary{
		{Division: "331122", Total: 1, Overdue: 1},
		{Division: "331102001", Total: 2, Acknowledged: 2, FedBack: 1},
		{Division: "331102", Total: 1, Acknowledged: 1, Rectified: 1, Lifted: 1},
	}
	got := RollUp("331100", counts, map[string]string{"331102": "莲都区"})
	want := []SupervisionSummary{
		{Division: "331102", Name: "莲都区", Total: 3, Acknowledged: 3, FedBack: 1, Rectified: 1, Lifted: 1},
		{Division: "331122", Total: 1, Overdue: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("RollUp = %+v, want %+v", got, want)
	}
}

func TestNewSupervisionFill(t *testing.T) {
	tests := []struct {
		name  string
		in    NewSupervision
		level string
		want  NewSupervision
		field string // the field an error names; "" none
	}{
		{"a city's defaults", NewSupervision{Mode: "listed"}, LevelCity, NewSupervision{Mode: "listed", WindowDays: 60, AckDays: 1, FeedbackDays: 7}, ""},
		{"a county's window", NewSupervision{Mode: "covert"}, LevelCounty, NewSupervision{Mode: "covert", WindowDays: 30, AckDays: 1, FeedbackDays: 7}, ""},
		{"a short window bounds feedback", NewSupervision{Mode: "ordinary", WindowDays: 3}, LevelCity, NewSupervision{Mode: "ordinary", WindowDays: 3, AckDays: 1, FeedbackDays: 3}, ""},
		{"a township's", NewSupervision{Mode: "ordinary"}, LevelTownship, NewSupervision{Mode: "ordinary", WindowDays: 30, AckDays: 1, FeedbackDays: 7}, ""},
		{"no mode", NewSupervision{}, LevelCity, NewSupervision{}, "mode"},
		{"a window too long", NewSupervision{Mode: "listed", WindowDays: 400}, LevelCity, NewSupervision{}, "window_days"},
		{"签收 after the window", NewSupervision{Mode: "listed", WindowDays: 10, AckDays: 11}, LevelCity, NewSupervision{}, "ack_days"},
		{"反馈 before 签收", NewSupervision{Mode: "listed", AckDays: 5, FeedbackDays: 2}, LevelCity, NewSupervision{}, "feedback_days"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.in
			err := n.Fill(tc.level)
			if tc.field != "" {
				var pe *ParamError
				if !errors.As(err, &pe) || pe.Param != tc.field {
					t.Fatalf("Fill: %v, want an error naming %s", err, tc.field)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Errorf("Fill: %+v %v, want %+v", n, err, tc.want)
			}
		})
	}
}
