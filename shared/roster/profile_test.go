package roster_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
)

func TestProfileJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want roster.Profile
	}{
		{name: "typed_answers_decoded_to_canonical_types",
			in: `{"dept":"Sales","grade":7,"ratio":1.5,"remote":true,"alum":false,"days":["Mon","Fri"],"start":"2024-03-01"}`,
			want: roster.Profile{"dept": "Sales", "grade": json.Number("7"), "ratio": json.Number("1.5"), "remote": true,
				"alum": false, "days": []string{"Mon", "Fri"}, "start": "2024-03-01"}},
		{name: "numbers_stay_exact", in: `{"id":123456789012345678901234567890,"tiny":0.10000000000000000000000001}`,
			want: roster.Profile{"id": json.Number("123456789012345678901234567890"), "tiny": json.Number("0.10000000000000000000000001")}},
		{name: "A5_null_answers_dropped", in: `{"dept":null,"goal":"Grow"}`, want: roster.Profile{"goal": "Grow"}},
		{name: "empty_multi_stays_a_list", in: `{"days":[]}`, want: roster.Profile{"days": []string{}}},
		{name: "whitespace_around_values", in: "{\"grade\": \n 7 , \"dept\" : \"Sales\"}", want: roster.Profile{"grade": json.Number("7"), "dept": "Sales"}},
		{name: "null_profile", in: `null`, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got roster.Profile
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
				t.Fatalf("Unmarshal(%s) error = %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unmarshal(%s) mismatch (-want +got):\n%s", tc.in, diff)
			}
			// Written back and read again, it is the same profile.
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("Marshal(%#v) error = %v", got, err)
			}
			var again roster.Profile
			if err := json.Unmarshal(b, &again); err != nil {
				t.Fatalf("Unmarshal(%s) error = %v", b, err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip through %s mismatch (-first +second):\n%s", b, diff)
			}
		})
	}
}

func TestProfileJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not_an_object", `["Sales"]`, "cannot unmarshal"},
		{"multi_of_numbers", `{"days":[1,2]}`, `answer "days"`},
		{"broken_json", `{"dept":`, "unexpected end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p roster.Profile
			err := json.Unmarshal([]byte(tc.in), &p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Unmarshal(%s) error = %v, want one containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestAnswersJSON(t *testing.T) {
	t.Run("A4_A5_empty_cells_kept_as_nil", func(t *testing.T) {
		in := roster.Answers{"dept": nil, "grade": json.Number("12345678901234567890"), "days": []string{"Mon"},
			"remote": false, "start": "2024-03-01"}
		got := roundTrip(t, in)
		if diff := cmp.Diff(in, got); diff != "" {
			t.Errorf("Answers round trip mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("record_round_trip", func(t *testing.T) {
		rec, flags := roster.ReadRecord(school(), studentPlan(), roster.ImportSettings{}, 5,
			studentCells(map[int]string{5: "012.50", 7: "no", 9: "fri,mon", 10: "t1@example.org"}))
		if len(flags) != 0 {
			t.Fatalf("ReadRecord flags = %+v, want none", flags)
		}
		if diff := cmp.Diff(rec, roundTrip(t, rec)); diff != "" {
			t.Errorf("Record round trip mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("participant_round_trip", func(t *testing.T) {
		p := mentee("u-ann", active, roster.Profile{"dept": "Sales", "skills": []string{"Go"}, "years": json.Number("3.5")}, "dept")
		p.LastImport, p.InvitedAt = mark(roster.ActionCreate), &now
		if diff := cmp.Diff(p, roundTrip(t, p)); diff != "" {
			t.Errorf("Participant round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestAnswerEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"same_text", "Sales", "Sales", true},
		{"text_is_case_sensitive", "Sales", "sales", false},
		{"same_number", json.Number("1.5"), json.Number("1.5"), true},
		{"number_is_not_text", json.Number("7"), "7", false},
		{"same_bool", true, true, true},
		{"different_bool", true, false, false},
		{"same_list", []string{"Go", "SQL"}, []string{"Go", "SQL"}, true},
		{"list_order_matters", []string{"Go", "SQL"}, []string{"SQL", "Go"}, false},
		{"list_is_not_text", []string{"Go"}, "Go", false},
		{"text_is_not_list", "Go", []string{"Go"}, false},
		{"absent_and_absent", nil, nil, true},
		{"absent_is_not_empty_text", nil, "", false},
		{"absent_is_not_list", nil, []string{"Go"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.AnswerEqual(tc.a, tc.b); got != tc.want {
				t.Errorf("AnswerEqual(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
