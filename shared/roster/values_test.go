package roster_test

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"V1_trimmed", "  ann@example.org\t", "ann@example.org"},
		{"V1_lower_case", "Ann.Lee@Example.ORG", "ann.lee@example.org"},
		{"V1_empty_stays_empty", "   ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.NormalizeEmail(tc.in); got != tc.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidEmail(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"V1_plain", "ann@example.org", true},
		{"V1_plus_and_dots", "ann.lee+mentoring@mail.example.co.uk", true},
		{"V1_empty", "", false},
		{"V1_no_at", "ann.example.org", false},
		{"V1_no_local_part", "@example.org", false},
		{"V1_no_domain_dot", "ann@localhost", false},
		{"V1_domain_starts_with_dot", "ann@.example.org", false},
		{"V1_domain_ends_with_dot", "ann@example.org.", false},
		{"V1_two_ats", "ann@lee@example.org", false},
		{"V1_inner_space", "ann lee@example.org", false},
		{"V1_display_name_form", "Ann <ann@example.org>", false},
		{"V1_two_addresses", "ann@example.org,bob@example.org", false},
		{"V1_too_long", strings.Repeat("a", 250) + "@example.org", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.ValidEmail(tc.in); got != tc.want {
				t.Errorf("ValidEmail(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidUserID(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"V3_letters_and_digits", "EMP00123", true},
		{"V3_dash_underscore_dot", "emp-001_a.b", true},
		{"V3_empty", "", false},
		{"V3_space", "EMP 1", false},
		{"V3_at_sign", "ann@corp", false},
		{"V3_slash", "hr/001", false},
		{"V3_non_ascii_letter", "émp1", false},
		{"V3_128_characters", strings.Repeat("x", 128), true},
		{"V3_129_characters", strings.Repeat("x", 129), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.ValidUserID(tc.in); got != tc.want {
				t.Errorf("ValidUserID(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   roster.Status
		wantOK bool
	}{
		{"V4_active_lower", "active", roster.StatusActive, true},
		{"V4_active_title_case", "Active", roster.StatusActive, true},
		{"V4_suspended_upper_trimmed", " SUSPENDED ", roster.StatusSuspended, true},
		{"V4_empty_ok", "", "", true},
		{"V4_blank_ok", "  ", "", true},
		{"V4_pending_flagged", "pending", "", false},
		{"V4_inactive_flagged", "Inactive", "", false},
		{"V4_yes_flagged", "yes", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := roster.ParseStatus(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseStatus(%q) = %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   json.Number
		wantOK bool
	}{
		{"V5_integer", "42", "42", true},
		{"V5_leading_zeros_dropped", "007", "7", true},
		{"V5_trailing_fraction_zeros_dropped", "1.50", "1.5", true},
		{"V5_whole_fraction_dropped", "3.000", "3", true},
		{"V5_plus_sign_dropped", "+12", "12", true},
		{"V5_negative", "-0012.250", "-12.25", true},
		{"V5_negative_zero_is_zero", "-0.00", "0", true},
		{"V5_leading_dot", ".5", "0.5", true},
		{"V5_trailing_dot", "5.", "5", true},
		{"V5_trimmed", "  8 ", "8", true},
		{"V5_big_integer_exact", "123456789012345678901234567890", "123456789012345678901234567890", true},
		{"V5_long_fraction_exact", "0.10000000000000000000000001", "0.10000000000000000000000001", true},
		{"V5_exponent", "1.5e3", "1500", true},
		{"V5_negative_exponent", "25E-4", "0.0025", true},
		{"V5_big_exponent_exact", "1e30", "1000000000000000000000000000000", true},
		{"V5_exponent_fraction_exact", "1.23456789012345678901e20", "123456789012345678901", true},
		{"V5_negative_small_exponent", "-1.5e-2", "-0.015", true},
		{"V5_exponent_plus_sign", "1E+2", "100", true},
		{"V5_exponent_on_leading_dot", ".5e1", "5", true},
		{"V5_exponent_on_trailing_dot", "5.e-1", "0.5", true},
		{"V5_tiny_exponent_exact", "3e-30", "0.000000000000000000000000000003", true},
		{"V5_exponent_out_of_range", "1e400", "", false},
		{"V5_exponent_underflow_rejected", "1e-401", "", false},
		{"V5_huge_exponent_of_zero_rejected", "0e99999999", "", false},
		{"V5_empty", "", "", false},
		{"V5_letters", "twelve", "", false},
		{"V5_thousands_separator", "1,000", "", false},
		{"V5_two_dots", "1.2.3", "", false},
		{"V5_sign_only", "-", "", false},
		{"V5_dot_only", ".", "", false},
		{"V5_hex", "0x1F", "", false},
		{"V5_inner_space", "1 000", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := roster.ParseNumber(tc.in)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseNumber(%q) = %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		order  roster.DateOrder
		want   string
		wantOK bool
	}{
		{"V5_iso", "2024-03-01", roster.DMY, "2024-03-01", true},
		{"V5_iso_single_digits", "2024-3-1", roster.MDY, "2024-03-01", true},
		{"V5_iso_slashes", "2024/03/01", roster.DMY, "2024-03-01", true},
		{"V5_iso_with_time", "2024-03-01 17:30:00", roster.DMY, "2024-03-01", true},
		{"V5_rfc3339", "2024-03-01T23:30:00-05:00", roster.DMY, "2024-03-01", true},
		{"V5_dmy_slashes", "03/04/2024", roster.DMY, "2024-04-03", true},
		{"V5_mdy_slashes", "03/04/2024", roster.MDY, "2024-03-04", true},
		{"V5_dmy_dots", "1.3.2024", roster.DMY, "2024-03-01", true},
		{"V5_mdy_dashes", "12-25-2024", roster.MDY, "2024-12-25", true},
		{"V5_ymd_order_reads_trailing_year_as_dmy", "03/04/2024", roster.YMD, "2024-04-03", true},
		{"V5_dmy_month_13_invalid", "01/13/2024", roster.DMY, "", false},
		{"V5_mdy_month_13_invalid", "13/01/2024", roster.MDY, "", false},
		{"V5_invalid_31_february", "31/02/2024", roster.DMY, "", false},
		{"V5_invalid_iso_30_february", "2024-02-30", roster.DMY, "", false},
		{"V5_leap_day", "29/02/2024", roster.DMY, "2024-02-29", true},
		{"V5_leap_day_in_common_year", "29/02/2023", roster.DMY, "", false},
		{"V5_two_digit_year_rejected", "03/04/24", roster.DMY, "", false},
		{"V5_month_name", "1 March 2024", roster.DMY, "2024-03-01", true},
		{"V5_month_name_first", "March 1, 2024", roster.DMY, "2024-03-01", true},
		{"V5_short_month_name", "01-Mar-2024", roster.DMY, "2024-03-01", true},
		{"V5_serial", "45352", roster.DMY, "2024-03-01", true},
		{"V5_serial_with_time_fraction", "45352.75", roster.MDY, "2024-03-01", true},
		{"V5_serial_after_excel_1900_bug", "61", roster.DMY, "1900-03-01", true},
		{"V5_serial_before_excel_1900_bug", "59", roster.DMY, "1900-02-28", true},
		{"V5_serial_first_day", "1", roster.DMY, "1900-01-01", true},
		{"V5_serial_of_fictitious_29_february_1900_rejected", "60", roster.DMY, "", false},
		{"V5_bare_year_is_not_a_serial", "2024", roster.DMY, "", false},
		{"V5_serial_zero_rejected", "0", roster.DMY, "", false},
		{"V5_serial_negative_rejected", "-5", roster.DMY, "", false},
		{"V5_serial_past_9999_rejected", "2958466", roster.DMY, "", false},
		{"V5_words_rejected", "next monday", roster.DMY, "", false},
		{"V5_empty_rejected", "", roster.DMY, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := roster.ParseDate(tc.in, tc.order)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ParseDate(%q, %s) = %q, %v, want %q, %v", tc.in, tc.order, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestParseAnswer covers V5 for every question type; ReadRecord tests cover
// how the results land in a Record.
func TestParseAnswer(t *testing.T) {
	text := roster.Question{Key: "bio", Type: roster.TypeText}
	untyped := roster.Question{Key: "note"}
	email := roster.Question{Key: "manager", Type: roster.TypeEmail}
	number := roster.Question{Key: "years", Type: roster.TypeNumber}
	date := roster.Question{Key: "start", Type: roster.TypeDate}
	boolean := roster.Question{Key: "remote", Type: roster.TypeBoolean}
	single := roster.Question{Key: "dept", Type: roster.TypeSingle, Options: []string{"Engineering", "People Ops", "R&D"}}
	multi := roster.Question{Key: "skills", Type: roster.TypeMulti, Options: []string{"Go", "SQL", "Public speaking", "UI/UX"}}

	tests := []struct {
		name      string
		q         roster.Question
		cell      string
		separator string
		order     roster.DateOrder
		want      any
		wantErr   string // part of the reason; "" = no error
	}{
		{name: "V5_empty_cell_is_nil", q: number, cell: "   ", want: nil},
		{name: "V5_text_trimmed", q: text, cell: "  Loves climbing  ", want: "Loves climbing"},
		{name: "V5_text_keeps_inner_spacing_and_case", q: text, cell: "A  B c", want: "A  B c"},
		{name: "V5_untyped_question_is_text", q: untyped, cell: "x", want: "x"},
		{name: "V5_email_normalized", q: email, cell: " Boss@Example.ORG ", want: "boss@example.org"},
		{name: "V5_email_invalid", q: email, cell: "boss at example", wantErr: "not a valid email"},
		{name: "V5_number_canonical_leading_zeros", q: number, cell: "007", want: json.Number("7")},
		{name: "V5_number_canonical_fraction", q: number, cell: "1.50", want: json.Number("1.5")},
		{name: "V5_number_big_integer_exact", q: number, cell: "9007199254740993", want: json.Number("9007199254740993")},
		{name: "V5_number_invalid", q: number, cell: "ten", wantErr: "not a number"},
		{name: "V5_number_percent_as_shown_by_a_spreadsheet", q: number, cell: "12.50%", want: json.Number("0.125")},
		{name: "V5_number_whole_percent", q: number, cell: "-5 %", want: json.Number("-0.05")},
		{name: "V5_number_percent_alone_invalid", q: number, cell: "%", wantErr: "not a number"},
		{name: "V5_date_iso", q: date, cell: "2024-03-01", order: roster.MDY, want: "2024-03-01"},
		{name: "V5_date_dmy_setting", q: date, cell: "01/03/2024", order: roster.DMY, want: "2024-03-01"},
		{name: "V5_date_mdy_setting", q: date, cell: "01/03/2024", order: roster.MDY, want: "2024-01-03"},
		{name: "V5_date_serial", q: date, cell: "45352", order: roster.DMY, want: "2024-03-01"},
		{name: "V5_date_invalid_31_february", q: date, cell: "31/02/2024", order: roster.DMY, wantErr: "DD/MM/YYYY"},
		{name: "V5_date_invalid_reason_names_mdy_order", q: date, cell: "02/31/2024", order: roster.MDY, wantErr: "MM/DD/YYYY"},
		{name: "V5_date_invalid_reason_names_ymd_order", q: date, cell: "2024/13/01", order: roster.YMD, wantErr: "YYYY/MM/DD"},
		{name: "V5_boolean_yes", q: boolean, cell: "Yes", want: true},
		{name: "V5_boolean_no", q: boolean, cell: "NO", want: false},
		{name: "V5_boolean_true", q: boolean, cell: "true", want: true},
		{name: "V5_boolean_false", q: boolean, cell: "False", want: false},
		{name: "V5_boolean_1", q: boolean, cell: "1", want: true},
		{name: "V5_boolean_0", q: boolean, cell: "0", want: false},
		{name: "V5_boolean_invalid", q: boolean, cell: "maybe", wantErr: "yes/no"},
		{name: "V5_single_choice_canonical_spelling", q: single, cell: "people ops", want: "People Ops"},
		{name: "V5_single_choice_case_insensitive_trimmed", q: single, cell: "  ENGINEERING ", want: "Engineering"},
		{name: "V5_single_choice_with_separator_character", q: single, cell: "r&d", want: "R&D"},
		{name: "V5_single_choice_not_an_option", q: single, cell: "Marketing", wantErr: "not one of the options"},
		{name: "V5_multi_choice_default_comma", q: multi, cell: "Go, sql", want: []string{"Go", "SQL"}},
		{name: "V5_multi_choice_split_on_semicolon", q: multi, cell: "go;Public Speaking", separator: ";", want: []string{"Go", "Public speaking"}},
		{name: "V5_multi_choice_split_on_pipe", q: multi, cell: "SQL|Go", separator: "|", want: []string{"SQL", "Go"}},
		{name: "V5_multi_choice_split_on_spaced_slash", q: multi, cell: "UI/UX / Go", separator: " / ", want: []string{"UI/UX", "Go"}},
		{name: "V5_multi_choice_comma_not_split_with_other_separator", q: multi, cell: "Go, SQL", separator: ";", wantErr: `"Go, SQL" is not one of the options`},
		{name: "V5_multi_choice_trimmed_and_deduplicated", q: multi, cell: " go ,GO, Go ,sql", want: []string{"Go", "SQL"}},
		{name: "V5_multi_choice_empty_parts_skipped", q: multi, cell: ",Go,,", want: []string{"Go"}},
		{name: "V5_multi_choice_only_separators_is_empty", q: multi, cell: " , , ", want: nil},
		{name: "V5_multi_choice_each_part_checked", q: multi, cell: "Go,Cobol", wantErr: `"Cobol" is not one of the options`},
		{name: "V5_multi_choice_reason_names_separator", q: multi, cell: "Go|Cobol", separator: "|", wantErr: `separated by "|"`},
		{name: "V5_unknown_type", q: roster.Question{Key: "x", Type: "colour"}, cell: "red", wantErr: "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := roster.ParseAnswer(tc.q, tc.cell, tc.separator, tc.order)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseAnswer(%s, %q) error = %v, want one containing %q", tc.q.Type, tc.cell, err, tc.wantErr)
				}
				if got != nil {
					t.Errorf("ParseAnswer(%s, %q) = %#v with an error, want nil", tc.q.Type, tc.cell, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAnswer(%s, %q) error = %v", tc.q.Type, tc.cell, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseAnswer(%s, %q) mismatch (-want +got):\n%s", tc.q.Type, tc.cell, diff)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	idShape := regexp.MustCompile(`^imp[0-9a-hjkmnp-tv-z]{26}$`)
	prev := ""
	for range 10_000 { // many within one millisecond
		id := roster.NewID("imp")
		if !idShape.MatchString(id) {
			t.Fatalf("NewID(%q) = %q, want the prefix and 26 lower-case base32 characters", "imp", id)
		}
		if id <= prev {
			t.Fatalf("NewID returned %q after %q: want IDs increasing, so that they sort by time", id, prev)
		}
		prev = id
	}
	before := time.Now().Add(-time.Millisecond).UnixMilli()
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	var ms int64
	for _, c := range roster.NewID("")[:10] {
		ms = ms<<5 | int64(strings.IndexRune(alphabet, c))
	}
	if after := time.Now().UnixMilli(); ms < before || ms > after {
		t.Errorf("NewID's time part is %d ms, want about now (%d)", ms, after)
	}
}

// FuzzParseNumber checks that a parsed number keeps the exact value it was
// given and that its canonical form is a fixed point (V5).
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"007", "1.50", "-0.0", "1.23456789012345678901e20", "25E-4", ".5e1", "5.", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := roster.ParseNumber(s)
		if !ok {
			return
		}
		num, percent := strings.CutSuffix(strings.TrimSpace(s), "%")
		in, okIn := new(big.Rat).SetString(strings.TrimSpace(num))
		if okIn && percent {
			in.Quo(in, big.NewRat(100, 1)) // "12.5%" is 0.125
		}
		out, okOut := new(big.Rat).SetString(string(got))
		if !okIn || !okOut || in.Cmp(out) != 0 {
			t.Fatalf("ParseNumber(%q) = %q, not the same value", s, got)
		}
		if again, _ := roster.ParseNumber(string(got)); again != got {
			t.Fatalf("ParseNumber(%q) = %q, not canonical: re-parsed as %q", s, got, again)
		}
	})
}
