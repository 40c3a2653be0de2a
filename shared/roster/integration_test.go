package roster_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
)

// minimalIntegration is the smallest valid integration file: only the
// required fields (I1).
const minimalIntegration = `{"id":"hr-daily","program":"mentoring-2024","role":"mentee",
  "mapping":{"Work Email":"email","Employee ID":"userId"},"contacts":["it@acme.example"]}`

func parseIntegration(t *testing.T, src string) (roster.Integration, error) {
	t.Helper()
	return roster.ParseIntegration(strings.NewReader(src))
}

// I1: every field left out takes its documented default.
func TestIntegrationDefaults(t *testing.T) {
	got, err := parseIntegration(t, minimalIntegration)
	if err != nil {
		t.Fatalf("ParseIntegration(minimal) = %v", err)
	}
	want := roster.Integration{
		ID: "hr-daily", Program: "mentoring-2024", Role: "mentee", FileName: "*",
		Identifier: roster.IdentifyByEmail,
		Mapping:    map[string]string{"Work Email": "email", "Employee ID": "userId"},
		Separator:  ",", DateOrder: roster.DMY, Overwrite: true, Notify: false,
		Contacts: []string{"it@acme.example"}, Mode: roster.ModeFull,
		Valve: roster.Valve{MaxShare: 0.2, MaxCount: 10}, Live: false,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseIntegration(minimal) (-want +got):\n%s", d)
	}
}

// I1: the full file of DESIGN §5 reads as written; explicit zero values
// (overwrite false, a valve of 0) are kept, not replaced by defaults.
func TestIntegrationFullFile(t *testing.T) {
	src := `{"id":"hr_weekly","program":"mentoring-2024","role":"mentor","fileName":"people_*.csv",
	  "identifier":"userId","mapping":{"Email":"email","Employee ID":"userId","Status":"status","Years":"field:years","Badge":"ignore"},
	  "separator":";","dateOrder":"mdy","overwrite":false,"notify":true,"contacts":["hr@acme.example","it@acme.example"],
	  "mode":"full","deactivateMissing":true,"valve":{"maxShare":0,"maxCount":0},
	  "statusValues":{"Inactive":"suspended","Terminated":"suspended","Leave":"suspended","Employed":"active"},
	  "schedule":{"every":"weekly","day":"friday","at":"22:30","timezone":"Europe/Paris","graceHours":0},"live":true}`
	got, err := parseIntegration(t, src)
	if err != nil {
		t.Fatalf("ParseIntegration(full) = %v", err)
	}
	want := roster.Integration{
		ID: "hr_weekly", Program: "mentoring-2024", Role: "mentor", FileName: "people_*.csv",
		Identifier: roster.IdentifyByUserID,
		Mapping:    map[string]string{"Email": "email", "Employee ID": "userId", "Status": "status", "Years": "field:years", "Badge": "ignore"},
		Separator:  ";", DateOrder: roster.MDY, Overwrite: false, Notify: true,
		Contacts: []string{"hr@acme.example", "it@acme.example"}, Mode: roster.ModeFull, DeactivateMissing: true,
		Valve: roster.Valve{MaxShare: 0, MaxCount: 0},
		StatusValues: map[string]roster.Status{"Inactive": roster.StatusSuspended, "Terminated": roster.StatusSuspended,
			"Leave": roster.StatusSuspended, "Employed": roster.StatusActive},
		Schedule: &roster.Schedule{Every: roster.EveryWeekly, Day: "friday", At: "22:30", Timezone: "Europe/Paris", GraceHours: 0},
		Live:     true,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ParseIntegration(full) (-want +got):\n%s", d)
	}
	if err := got.CheckProgram(mentoring()); err != nil {
		t.Errorf("CheckProgram(mentoring) = %v, want nil", err)
	}
}

// I1, I6: a schedule given in part takes the rest from its defaults.
func TestIntegrationScheduleDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, schedule string
		want           roster.Schedule
	}{
		{"empty_is_daily_0600_utc", `{}`, roster.Schedule{Every: "daily", At: "06:00", Timezone: "UTC", GraceHours: 6}},
		{"weekly_on_monday", `{"every":"weekly"}`, roster.Schedule{Every: "weekly", Day: "monday", At: "06:00", Timezone: "UTC", GraceHours: 6}},
		{"grace_zero_kept", `{"graceHours":0,"at":"07:15"}`, roster.Schedule{Every: "daily", At: "07:15", Timezone: "UTC", GraceHours: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.TrimSuffix(minimalIntegration, "}") + `,"schedule":` + tc.schedule + `}`
			got, err := parseIntegration(t, src)
			if err != nil {
				t.Fatalf("ParseIntegration = %v", err)
			}
			if got.Schedule == nil {
				t.Fatalf("Schedule = nil, want %+v", tc.want)
			}
			if d := cmp.Diff(tc.want, *got.Schedule); d != "" {
				t.Errorf("Schedule (-want +got):\n%s", d)
			}
		})
	}
}

// X1: a file never chooses its tenant; listed output can be put back.
func TestParseIntegrationDropsTenantAndTimes(t *testing.T) {
	src := merge(t, minimalIntegration, `{"tenant":"other","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-02T00:00:00Z"}`)
	in, err := parseIntegration(t, src)
	if err != nil {
		t.Fatalf("ParseIntegration = %v", err)
	}
	if in.Tenant != "" || !in.CreatedAt.IsZero() || !in.UpdatedAt.IsZero() {
		t.Errorf("ParseIntegration kept tenant %q, createdAt %s, updatedAt %s; want them dropped", in.Tenant, in.CreatedAt, in.UpdatedAt)
	}
}

// I1: the stored form round-trips, tenant and times included.
func TestIntegrationJSONRoundTrip(t *testing.T) {
	in, err := parseIntegration(t, minimalIntegration)
	if err != nil {
		t.Fatal(err)
	}
	in.Tenant, in.CreatedAt, in.UpdatedAt = "acme", seeded, now
	in.Overwrite, in.Valve = false, roster.Valve{MaxShare: 0.5, MaxCount: 3}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back roster.Integration
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s) = %v", b, err)
	}
	if d := cmp.Diff(in, back); d != "" {
		t.Errorf("round trip of %s (-want +got):\n%s", b, d)
	}
}

// I1: each invalid file is refused with an error naming what is wrong.
func TestIntegrationValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     string // merged into the minimal file
		wantErr string
	}{
		{"missing_id", `{"id":""}`, "id is required"},
		{"id_shape", `{"id":"hr daily"}`, `integration id "hr daily": use 1 to 64 letters, digits, - or _`},
		{"id_slash", `{"id":"../other"}`, "use 1 to 64 letters"},
		{"missing_program", `{"program":""}`, "program is required"},
		{"program_shape", `{"program":"p#1"}`, `program "p#1"`},
		{"missing_role", `{"role":""}`, "role is required"},
		{"missing_mapping", `{"mapping":{}}`, "mapping is required"},
		{"missing_contacts", `{"contacts":[]}`, "contacts is required"},
		{"bad_contact", `{"contacts":["it at acme"]}`, `contact "it at acme" is not a valid email`},
		{"unknown_field", `{"filePattern":"x.csv"}`, `unknown field "filePattern"`},
		{"bad_glob", `{"fileName":"people_[.csv"}`, "not a valid glob"},
		{"glob_with_folder", `{"fileName":"hr/*.csv"}`, "holds no folder"},
		{"bad_identifier", `{"identifier":"name"}`, `identifier "name": want userId or email`},
		{"identifier_not_mapped", `{"identifier":"userId","mapping":{"Email":"email"}}`, "identifier is userId but no header is mapped to userId"},
		{"no_email", `{"mapping":{"ID":"userId"}}`, "must be mapped (M2)"},
		{"unknown_target", `{"mapping":{"Email":"email","X":"nickname"}}`, `header "X" maps to unknown target "nickname"`},
		{"target_twice", `{"mapping":{"Email":"email","Mail":"email"}}`, `headers "Email" and "Mail" both map to email`},
		{"header_twice_any_case", `{"mapping":{"Email":"email"," email ":"ignore"}}`, "same once trimmed and case-folded"},
		{"bad_date_order", `{"dateOrder":"yy"}`, `dateOrder "yy"`},
		{"blank_separator", `{"separator":" "}`, "separator must not be blank"},
		{"bad_mode", `{"mode":"sometimes"}`, `mode "sometimes": want full or delta`},
		{"deactivate_in_delta", `{"mode":"delta","deactivateMissing":true}`, "deactivateMissing needs mode full"},
		{"valve_share", `{"valve":{"maxShare":20}}`, "valve.maxShare 20: want a share between 0 and 1 (0.2 is 20%)"},
		{"valve_count", `{"valve":{"maxCount":-1}}`, "valve.maxCount -1"},
		{"status_value_target", `{"statusValues":{"Gone":"deleted"}}`, `"Gone" maps to "deleted"`},
		{"status_value_twice", `{"statusValues":{"Leave":"suspended","LEAVE":"active"}}`, "same value in any case"},
		{"status_value_blank", `{"statusValues":{" ":"active"}}`, "a file value is blank"},
		{"bad_every", `{"schedule":{"every":"hourly"}}`, `every "hourly": want daily or weekly`},
		{"bad_day", `{"schedule":{"every":"weekly","day":"funday"}}`, `day "funday"`},
		{"day_on_daily", `{"schedule":{"every":"daily","day":"monday"}}`, "for weekly schedules only"},
		{"bad_at", `{"schedule":{"at":"25:00"}}`, `at "25:00": want a time HH:MM`},
		{"bad_timezone", `{"schedule":{"timezone":"Mars/Olympus"}}`, `timezone "Mars/Olympus"`},
		{"grace_too_long", `{"schedule":{"graceHours":24}}`, "graceHours 24: want 0 or more and less than the daily period"},
		{"grace_negative", `{"schedule":{"every":"weekly","graceHours":-1}}`, "graceHours -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseIntegration(t, merge(t, minimalIntegration, tc.src))
			if err == nil {
				t.Fatalf("ParseIntegration(%s) = nil error, want %q", tc.src, tc.wantErr)
			}
			if !errors.Is(err, roster.ErrInvalid) {
				t.Errorf("ParseIntegration(%s) error %v is not roster.ErrInvalid", tc.src, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseIntegration(%s) = %q, want it to say %q", tc.src, err, tc.wantErr)
			}
		})
	}
}

// merge overlays the fields of patch on the JSON object base.
func merge(t *testing.T, base, patch string) string {
	t.Helper()
	var b, p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(base), &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(patch), &p); err != nil {
		t.Fatal(err)
	}
	for k, v := range p {
		b[k] = v
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// I1, M1: targets are checked against the program's role and form.
func TestIntegrationCheckProgram(t *testing.T) {
	for _, tc := range []struct {
		name, patch, wantErr string
	}{
		{"ok", `{}`, ""},
		{"ok_assoc", `{"mapping":{"Email":"email","Manager":"assoc:mentor"}}`, ""},
		{"unknown_role", `{"role":"parent"}`, `program mentoring-2024 has no role "parent" (roles: mentee, mentor)`},
		{"unknown_question", `{"mapping":{"Email":"email","Shoe":"field:shoe"}}`, `header "Shoe" maps to unknown question "shoe"`},
		{"question_of_other_role", `{"mapping":{"Email":"email","Years":"field:years"}}`, `question "years", which is not part of the mentee profile form`},
		{"assoc_unknown_role", `{"mapping":{"Email":"email","Parent":"assoc:parent"}}`, `links to role "parent"`},
		{"other_program", `{"program":"other"}`, "is for program other, not mentoring-2024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := parseIntegration(t, merge(t, minimalIntegration, tc.patch))
			if err != nil {
				t.Fatalf("ParseIntegration = %v", err)
			}
			err = in.CheckProgram(mentoring())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckProgram = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("CheckProgram = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// I1: the inbound prefix and the import settings of an integration.
func TestIntegrationPrefixAndSettings(t *testing.T) {
	in, err := parseIntegration(t, minimalIntegration)
	if err != nil {
		t.Fatal(err)
	}
	in.Tenant = "acme"
	if got, want := in.Prefix(), "inbound/acme/hr-daily/"; got != want {
		t.Errorf("Prefix() = %q, want %q", got, want)
	}
	want := roster.ImportSettings{Role: "mentee", Separator: ",", Overwrite: true, DateOrder: roster.DMY, HoldSuspensions: true}
	if d := cmp.Diff(want, in.Settings()); d != "" {
		t.Errorf("Settings() (-want +got):\n%s", d)
	}
}

// I4: status values map case-insensitively; others pass through for V4.
func TestIntegrationMapStatus(t *testing.T) {
	in := roster.Integration{StatusValues: map[string]roster.Status{
		"Inactive": roster.StatusSuspended, "Terminated": roster.StatusSuspended,
		"Leave": roster.StatusSuspended, "Employed": roster.StatusActive,
	}}
	for _, tc := range []struct{ cell, want string }{
		{"Inactive", "suspended"},
		{"TERMINATED", "suspended"},
		{" leave ", "suspended"},
		{"employed", "active"},
		{"active", "active"},       // V4 values pass through
		{"Suspended", "Suspended"}, // and V4 reads them in any case
		{"", ""},                   // empty never changes anyone (A6)
		{"Retired", "Retired"},     // unmapped: V4 flags it
	} {
		got := in.MapStatus(tc.cell)
		if got != tc.want {
			t.Errorf("MapStatus(%q) = %q, want %q", tc.cell, got, tc.want)
		}
		if st, ok := roster.ParseStatus(got); tc.cell == "Retired" && ok {
			t.Errorf("ParseStatus(MapStatus(%q)) = %q, ok; want V4 to flag it", tc.cell, st)
		}
	}
}
