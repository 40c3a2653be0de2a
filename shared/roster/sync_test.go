package roster_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
)

// I2: incomplete uploads are never read.
func TestIncompleteReason(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		size       int64
		incomplete bool
	}{
		{"complete_csv", "people_2026-12-01.csv", 120, false},
		{"part", "people.csv.part", 120, true},
		{"filepart_any_case", "people.csv.FilePart", 120, true},
		{"tmp", "people.tmp", 120, true},
		{"leading_dot", ".people.csv", 120, true},
		{"dot_folder", ".sync/people.csv", 120, true},
		{"zero_bytes", "people.csv", 0, true},
		{"part_inside_name_is_fine", "people.part.csv", 120, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := roster.IncompleteReason(tc.file, tc.size)
			if (got != "") != tc.incomplete {
				t.Errorf("IncompleteReason(%q, %d) = %q, want incomplete %t", tc.file, tc.size, got, tc.incomplete)
			}
		})
	}
}

// I2: a file outside the name pattern is ignored.
func TestMatchesName(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"people_*.csv", "people_2026-12-01.csv", true},
		{"people_*.csv", "People_20261201.CSV", true}, // case is ignored
		{"people_*.csv", "staff_2026.csv", false},
		{"people_*.csv", "people_2026.xlsx", false},
		{"people_*.csv", "old/people_2026.csv", false}, // * does not cross folders
		{"*", "anything.xlsx", true},
		{"hr-??.txt", "hr-07.txt", true},
		{"hr-[0-9][0-9].txt", "hr-ab.txt", false},
	} {
		if got := roster.MatchesName(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchesName(%q, %q) = %t, want %t", tc.pattern, tc.name, got, tc.want)
		}
	}
}

// I2: the date in a file's name, YYYY-MM-DD or YYYYMMDD anywhere, a real date.
func TestNameDate(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "" = no date
	}{
		{"people_2026-12-01.csv", "2026-12-01"},
		{"people_20261201.csv", "2026-12-01"},
		{"20261201_people.csv", "2026-12-01"},
		{"export-20261201T0600.csv", "2026-12-01"},
		{"export_202612010600.csv", "2026-12-01"},   // YYYYMMDDhhmm stamp
		{"export_20261201060000.csv", "2026-12-01"}, // YYYYMMDDhhmmss stamp
		{"export_2026-12-01T06-00-00.csv", "2026-12-01"},
		{"people.csv", ""},
		{"people_2026-02-30.csv", ""},                              // not a real date
		{"people_20261301.csv", ""},                                // no month 13
		{"batch_123420261201.csv", ""},                             // inside a longer number
		{"people_12345678.csv", ""},                                // digits, no date
		{"v2 people 2026-13-01 then 2026-11-30.csv", "2026-11-30"}, // first real date wins
		{"people_2026-12-1.csv", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := roster.NameDate(tc.name)
			switch {
			case tc.want == "" && ok:
				t.Errorf("NameDate(%q) = %s, want none", tc.name, got.Format(time.DateOnly))
			case tc.want != "" && (!ok || got.Format(time.DateOnly) != tc.want):
				t.Errorf("NameDate(%q) = %s, %t; want %s", tc.name, got.Format(time.DateOnly), ok, tc.want)
			}
		})
	}
}

// I2: a file older than the last applied one is stale: by name date, else
// by arrival time.
func TestStale(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	last := &roster.FileMark{Name: "people_2026-12-01.csv", ArrivedAt: at(10)}
	undated := &roster.FileMark{Name: "people.csv", ArrivedAt: at(10)}
	for _, tc := range []struct {
		name    string
		last    *roster.FileMark
		file    string
		arrived time.Time
		want    bool
	}{
		{"first_file", nil, "people_2026-11-01.csv", at(1), false},
		{"older_by_name", last, "people_2026-11-30.csv", at(11), true},
		{"older_by_name_other_format", last, "people_20261130.csv", at(11), true},
		{"newer_by_name_arrived_earlier", last, "people_2026-12-02.csv", at(9), false},
		{"same_day_is_not_stale", last, "people_2026-12-01_fixed.csv", at(9), false},
		{"undated_older_arrival", undated, "people.csv", at(9), true},
		{"undated_newer_arrival", undated, "people.csv", at(11), false},
		{"dated_after_undated_uses_arrival", undated, "people_2020-01-01.csv", at(11), false},
		{"undated_after_dated_uses_arrival", last, "people.csv", at(9), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.Stale(tc.last, tc.file, tc.arrived); got != tc.want {
				t.Errorf("Stale(%+v, %q, %s) = %t, want %t", tc.last, tc.file, tc.arrived, got, tc.want)
			}
		})
	}
}

// I3: headers match trimmed, case-insensitively, BOM ignored; a missing
// mapped header refuses the file; new headers are warnings.
func TestFitHeaders(t *testing.T) {
	mapping := map[string]string{"Work Email": "email", "Employee ID": "userId", "Status": "status", "Badge": "ignore"}
	for _, tc := range []struct {
		name    string
		headers []string
		want    roster.HeaderFit
		refused bool
	}{
		{
			name:    "exact",
			headers: []string{"Employee ID", "Work Email", "Status"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"userId", "email", "status"}},
		},
		{
			name:    "bom_case_spaces",
			headers: []string{"\uFEFFemployee id", "  WORK EMAIL ", "status"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"userId", "email", "status"}},
		},
		{
			name:    "renamed_header_refused",
			headers: []string{"Employee ID", "E-mail", "Status"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"userId", "", "status"}, Missing: []string{"Work Email"}, Unmapped: []int{1}},
			refused: true,
		},
		{
			name:    "two_missing_sorted",
			headers: []string{"Work Email"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"email"}, Missing: []string{"Employee ID", "Status"}},
			refused: true,
		},
		{
			name:    "new_columns_warned_blank_not",
			headers: []string{"Work Email", "Employee ID", "Status", "Cost Centre", "", "Badge"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"email", "userId", "status", "", "", "ignore"}, Unmapped: []int{3}},
		},
		{
			name:    "mapped_header_twice_refused",
			headers: []string{"Work Email", "Employee ID", "Status", "work email"},
			want:    roster.HeaderFit{Mapping: roster.Mapping{"email", "userId", "status", ""}, Duplicate: []string{"Work Email"}},
			refused: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := roster.FitHeaders(mapping, tc.headers)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("FitHeaders(%q) (-want +got):\n%s", tc.headers, d)
			}
			if got.Refused() != tc.refused {
				t.Errorf("FitHeaders(%q).Refused() = %t, want %t", tc.headers, got.Refused(), tc.refused)
			}
		})
	}
}

// I3: each new column is a warning on the header row, naming it.
func TestHeaderFitWarnings(t *testing.T) {
	headers := []string{"Work Email", "Cost Centre"}
	fit := roster.FitHeaders(map[string]string{"Work Email": "email"}, headers)
	want := []roster.Flag{{Sheet: "people", Row: 1, Column: "B", Value: "Cost Centre",
		Reason:   "new column: the integration's mapping does not name it, so it is not imported",
		Severity: roster.SeverityWarning, Rule: "I3"}}
	if d := cmp.Diff(want, fit.Warnings("people", 1, headers)); d != "" {
		t.Errorf("Warnings (-want +got):\n%s", d)
	}
}

// I5: the valve holds when a file would suspend more than 20% of the
// role's participants AND more than 10 people (by default); a file with
// no data rows never suspends.
func TestValveDecide(t *testing.T) {
	def := roster.Valve{MaxShare: roster.DefaultValveMaxShare, MaxCount: roster.DefaultValveMaxCount}
	for _, tc := range []struct {
		name                           string
		valve                          roster.Valve
		wouldSuspend, population, rows int
		want                           roster.ValveOutcome
	}{
		{"nothing_to_suspend", def, 0, 1000, 990, roster.ValveApply},
		{"many_but_small_share", def, 150, 1000, 850, roster.ValveApply}, // 15%
		{"share_exactly_20_percent", def, 200, 1000, 800, roster.ValveApply},
		{"share_over_20_percent", def, 201, 1000, 799, roster.ValveHold},
		{"big_share_but_ten_people", def, 10, 20, 10, roster.ValveApply},
		{"big_share_eleven_people", def, 11, 20, 9, roster.ValveHold},
		{"truncated_file", def, 4000, 5000, 1000, roster.ValveHold},
		{"empty_file_never_suspends", def, 5000, 5000, 0, roster.ValveEmpty},
		{"share_0_1_of_30_not_over", roster.Valve{MaxShare: 0.1, MaxCount: 2}, 3, 30, 27, roster.ValveApply},
		{"zero_limits_hold_any", roster.Valve{MaxShare: 0, MaxCount: 0}, 1, 1000, 999, roster.ValveHold},
		{"no_population", def, 11, 0, 5, roster.ValveHold},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.valve.Decide(tc.wouldSuspend, tc.population, tc.rows); got != tc.want {
				t.Errorf("%+v.Decide(%d, %d, %d) = %s, want %s", tc.valve, tc.wouldSuspend, tc.population, tc.rows, got, tc.want)
			}
		})
	}
}

// The sync result prints as DESIGN §5's `sync --json`.
func TestSyncResultJSON(t *testing.T) {
	r := roster.SyncResult{ImportID: "imp-1", Status: roster.SyncHeld,
		Counts:         roster.SyncCounts{Counts: roster.Counts{Created: 2, Updated: 3, Unchanged: 4, Skipped: 0, Rejected: 1}, Suspended: 0, Held: 12},
		MissingHeaders: []string{}, Flags: []roster.Flag{}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"importId":"imp-1","status":"held","counts":{"created":2,"updated":3,"unchanged":4,"skipped":0,"rejected":1,"suspended":0,"held":12},"missingHeaders":[],"flags":[]}`
	if string(b) != want {
		t.Errorf("json(SyncResult) =\n%s\nwant\n%s", b, want)
	}
	for _, s := range []roster.SyncStatus{roster.SyncCompleted, roster.SyncTested, roster.SyncHeld, roster.SyncRefused,
		roster.SyncDuplicate, roster.SyncStale, roster.SyncIgnored} {
		if s == "" {
			t.Error("a sync status is empty")
		}
	}
}

// I1: inbound keys name their tenant, integration and file.
func TestParseInboundKey(t *testing.T) {
	if got := roster.InboundKey("acme", "hr-daily", "people.csv"); got != "inbound/acme/hr-daily/people.csv" {
		t.Errorf("InboundKey = %q", got)
	}
	for _, tc := range []struct {
		key                 string
		tenant, integ, name string
		ok                  bool
	}{
		{"inbound/acme/hr-daily/people.csv", "acme", "hr-daily", "people.csv", true},
		{"inbound/acme/hr-daily/old/people.csv", "acme", "hr-daily", "old/people.csv", true},
		{"inbound/acme/hr-daily/", "", "", "", false},
		{"inbound/acme/hr-daily/old/", "", "", "", false},
		{"inbound/acme/people.csv", "", "", "", false},
		{"uploads/acme/p1/imp/file.csv", "", "", "", false},
		{"inbound/ac me/hr/people.csv", "", "", "", false},
		{"inbound/acme/../people.csv", "", "", "", false},
		{"inbound/acme/hr/../../x.csv", "", "", "", false},
		{"inbound/acme/hr//x.csv", "", "", "", false},
		{"inbound/acme/hr/./x.csv", "", "", "", false},
	} {
		tenant, integ, name, ok := roster.ParseInboundKey(tc.key)
		if tenant != tc.tenant || integ != tc.integ || name != tc.name || ok != tc.ok {
			t.Errorf("ParseInboundKey(%q) = %q, %q, %q, %t; want %q, %q, %q, %t", tc.key, tenant, integ, name, ok, tc.tenant, tc.integ, tc.name, tc.ok)
		}
	}
}

// I2: what may be read at all: complete, enabled, matching the pattern.
func TestIntegrationAdmit(t *testing.T) {
	in := roster.Integration{FileName: "people_*.csv"}
	disabled := in
	disabled.Disabled = true
	for _, tc := range []struct {
		name string
		in   roster.Integration
		file string
		size int64
		ok   bool
		want string
	}{
		{"admitted", in, "people_2026-12-01.csv", 10, true, ""},
		{"outside_pattern", in, "staff.csv", 10, false, "the name does not match people_*.csv"},
		{"incomplete", in, "people_1.csv.filepart", 10, false, "incomplete upload: temporary name (*.filepart): the upload is not finished"},
		{"zero_bytes", in, "people_1.csv", 0, false, "incomplete upload: zero bytes"},
		{"disabled", disabled, "people_1.csv", 10, false, "the integration is disabled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, ok := tc.in.Admit(tc.file, tc.size)
			if ok != tc.ok || reason != tc.want {
				t.Errorf("Admit(%q, %d) = %q, %t; want %q, %t", tc.file, tc.size, reason, ok, tc.want, tc.ok)
			}
		})
	}
}
