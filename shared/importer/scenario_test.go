package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// school is seed 003's program: students, instructors and parents.
var school = roster.Program{
	Tenant: tenant, ID: "school", Name: "After-school tutoring", Roles: []string{"student", "instructor", "parent"},
	Questions: []roster.Question{
		{Key: "grade", Label: "Grade", Type: roster.TypeNumber, Roles: []string{"student"}},
		{Key: "level", Label: "Level", Type: roster.TypeSingle, Options: []string{"Beginner", "Advanced"}, Roles: []string{"student"}},
		{Key: "subjects", Label: "Subjects", Type: roster.TypeMulti, Options: []string{"Math", "Art", "Music"}, Roles: []string{"student", "instructor"}},
		{Key: "start", Label: "Start date", Type: roster.TypeDate, Roles: []string{"student"}},
		{Key: "consent", Label: "Photo consent", Type: roster.TypeBoolean, Roles: []string{"parent"}},
		{Key: "city", Label: "City", Type: roster.TypeText},
	},
}

// scenarioEnv is a service over the embedded adapters that runs imports
// through the in-process workflow, as `roster serve` does.
type scenarioEnv struct {
	svc    *importer.Service
	outbox *outbox.Outbox
}

func newScenarioEnv(t *testing.T, lim sheet.Limits, programs ...roster.Program) *scenarioEnv {
	t.Helper()
	dir := t.TempDir()
	st := boltBackend.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	svc := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, BatchSize: 2, TmpDir: dir, Limits: lim})
	svc.SetWorkflow(inproc.New(svc, inproc.Options{}))
	for _, p := range programs {
		if err := svc.PutProgram(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	return &scenarioEnv{svc: svc, outbox: ob}
}

// upload creates an import of a file and uploads it.
func (e *scenarioEnv) upload(t *testing.T, programID, name string, content []byte, set roster.ImportSettings) roster.Import {
	t.Helper()
	ctx := context.Background()
	im, err := e.svc.CreateImport(ctx, tenant, programID, name, "admin@example.com", set)
	if err != nil {
		t.Fatalf("CreateImport(%s): %v", name, err)
	}
	if _, err := e.svc.Upload(ctx, tenant, im.ID, bytes.NewReader(content)); err != nil {
		t.Fatalf("Upload(%s): %v", name, err)
	}
	return im
}

// suggestAll suggests a plan for each named tab with its role (S1).
func (e *scenarioEnv) suggestAll(t *testing.T, im roster.Import, tabs [][2]string, headerRow int) []roster.SheetPlan {
	t.Helper()
	var plans []roster.SheetPlan
	for _, tr := range tabs {
		sg, err := e.svc.Suggest(context.Background(), tenant, im.ID, tr[0], tr[1], headerRow)
		if err != nil {
			t.Fatalf("Suggest(%s, %s): %v", tr[0], tr[1], err)
		}
		plans = append(plans, sg.Plan)
	}
	return plans
}

// run confirms the plans and runs the import to its end.
func (e *scenarioEnv) run(t *testing.T, im roster.Import, plans []roster.SheetPlan) roster.Import {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, plans); err != nil {
		t.Fatalf("SetPlans: %v", err)
	}
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	done, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func (e *scenarioEnv) participants(t *testing.T, programID string) map[string]importer.ParticipantView {
	t.Helper()
	ps, err := e.svc.ListParticipants(context.Background(), tenant, programID, "")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]importer.ParticipantView{}
	for _, p := range ps {
		m[p.Email] = p
	}
	return m
}

// workbook builds an .xlsx with one tab per entry, rows from A1.
func workbook(t *testing.T, tabs []string, rows map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, tab := range tabs {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), tab); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(tab); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows[tab] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(tab, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSeed003ThreeTabWorkbook: S1 one plan per tab and role, imported
// together; A9 links across tabs whatever the order (the Students tab comes
// first and names parents and instructors created by later tabs, the
// Parents tab names a student), each link seen from both sides (seed 003's
// Student ↔ Parent); a parent nobody creates gets a warning and no link.
func TestSeed003ThreeTabWorkbook(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{}, school)
	tabs := []string{"Students", "Instructors", "Parents"}
	file := workbook(t, tabs, map[string][][]any{
		"Students": {
			{"Email", "Grade", "Subjects", "Parent", "Instructor"},
			{"kid1@example.com", 5, "Math, Art", "mum@example.com", "teach@example.com"},
			{"kid2@example.com", 6, "Music", "ghost@example.com", "teach@example.com, not-an-email"},
		},
		"Instructors": {
			{"Email", "Subjects", "City"},
			{"teach@example.com", "Math", "Oslo"},
		},
		"Parents": {
			{"Email", "Photo consent", "Student"},
			{"mum@example.com", "yes", "kid2@example.com"},
		},
	})
	im := e.upload(t, "school", "school.xlsx", file, roster.ImportSettings{Role: "student"})
	plans := e.suggestAll(t, im, [][2]string{{"Students", "student"}, {"Instructors", "instructor"}, {"Parents", "parent"}}, 1)
	wantMaps := [][]string{
		{"email", "field:grade", "field:subjects", "assoc:parent", "assoc:instructor"},
		{"email", "field:subjects", "field:city"},
		{"email", "field:consent", "assoc:student"},
	}
	for i, p := range plans {
		if d := cmp.Diff(wantMaps[i], []string(p.Mapping)); d != "" {
			t.Fatalf("M3 suggested mapping of %s (-want +got):\n%s", p.Name, d)
		}
	}
	done := e.run(t, im, plans)
	if done.Status != roster.ImportCompleted {
		t.Fatalf("status = %s (%s), want COMPLETED", done.Status, done.Error)
	}
	wantCounts := roster.Counts{Created: 4}
	if d := cmp.Diff(wantCounts, done.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	ps := e.participants(t, "school")
	wantRoles := map[string]string{"kid1@example.com": "student", "kid2@example.com": "student", "teach@example.com": "instructor", "mum@example.com": "parent"}
	for email, role := range wantRoles {
		if ps[email].Role != role {
			t.Errorf("S1: %s role = %q, want %s", email, ps[email].Role, role)
		}
	}
	wantAssoc := map[string]map[string][]string{
		"kid1@example.com":  {"parent": {"mum@example.com"}, "instructor": {"teach@example.com"}},
		"kid2@example.com":  {"parent": {"mum@example.com"}, "instructor": {"teach@example.com"}},
		"mum@example.com":   {"student": {"kid1@example.com", "kid2@example.com"}},
		"teach@example.com": {"student": {"kid1@example.com", "kid2@example.com"}},
	}
	for email, want := range wantAssoc {
		if d := cmp.Diff(want, ps[email].Associations); d != "" {
			t.Errorf("A9: associations of %s (-want +got):\n%s", email, d)
		}
	}
	entries, err := e.svc.Report(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A13: each row once, with its own action and every warning.
	var warned []string
	listed := map[string]int{}
	for _, en := range entries {
		listed[fmt.Sprintf("%s row %d", en.Sheet, en.Row)]++
		for _, f := range en.Flags {
			if f.Rule == "A9" {
				warned = append(warned, fmt.Sprintf("%s row %d (%s): %s %s %s", en.Sheet, en.Row, en.Action, f.Column, f.Value, f.Severity))
			}
		}
	}
	want := []string{
		"Students row 3 (created): Instructor not-an-email warning",
		"Students row 3 (created): Parent ghost@example.com warning",
	}
	if d := cmp.Diff(want, warned); d != "" {
		t.Errorf("A9 warnings in the report (-want +got):\n%s", d)
	}
	for row, n := range listed {
		if n != 1 {
			t.Errorf("A13: the report lists %s %d times, want once", row, n)
		}
	}
}

// TestTemplateExportRoundTrip: F6 a filled template imports with the
// mapping the template says, its note row skipped; F7 the export of that
// program imports into another program with the same participants and
// profiles (seed 000's "copy participants").
func TestTemplateExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	copyTo := school
	copyTo.ID, copyTo.Name = "school2", "Summer school"
	e := newScenarioEnv(t, sheet.Limits{}, school, copyTo)

	var tpl bytes.Buffer
	if err := report.Template(&tpl, school); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string][][]any{
		"student": {
			{"kid1@example.com", "K1", "", 5, "advanced", "Math, Music", "2024-09-01", "Oslo"},
			{"kid2@example.com", "K2", "suspended", 7, "Beginner", "Art", "", "Rome"},
		},
		"instructor": {{"teach@example.com", "T1", "", "Math", "Paris"}},
		"parent":     {{"mum@example.com", "P1", "", "no", "Lima"}},
	}
	for role, rows := range data {
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, report.FirstDataRow+i)
			if err := f.SetSheetRow(role, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	f.Close()

	im := e.upload(t, "school", "template.xlsx", filled.Bytes(), roster.ImportSettings{Role: "student"})
	var plans []roster.SheetPlan
	for _, role := range school.Roles {
		sg, err := e.svc.Suggest(ctx, tenant, im.ID, role, role, report.HeaderRow)
		if err != nil {
			t.Fatalf("Suggest(%s): %v", role, err)
		}
		// F6: the template's mapping is certain, column by column.
		if d := cmp.Diff(report.TemplateMapping(school, role), sg.Plan.Mapping); d != "" {
			t.Errorf("F6: suggested mapping of tab %s (-template +suggested):\n%s", role, d)
		}
		plans = append(plans, sg.Plan)
	}
	done := e.run(t, im, plans)
	if done.Status != roster.ImportCompleted {
		t.Fatalf("template import status = %s (%s)", done.Status, done.Error)
	}
	if d := cmp.Diff(roster.Counts{Created: 4}, done.Counts); d != "" {
		t.Errorf("F6 template import counts (-want +got), the note row must be skipped:\n%s", d)
	}
	// An active participant stays active in the copy: the person has an account.
	if err := e.svc.Activate(ctx, tenant, "school", "teach@example.com"); err != nil {
		t.Fatal(err)
	}
	orig := e.participants(t, "school")
	if orig["teach@example.com"].Status != roster.StatusActive || orig["kid2@example.com"].Status != roster.StatusSuspended {
		t.Errorf("statuses teach=%s kid2=%s, want active and suspended", orig["teach@example.com"].Status, orig["kid2@example.com"].Status)
	}
	if got := orig["kid1@example.com"].Profile["level"]; got != "Advanced" {
		t.Errorf("kid1 level = %v, want Advanced", got)
	}

	// F7: export, then import the export into the second program.
	rows := map[string][]report.ExportRow{}
	for _, p := range orig {
		rows[p.Role] = append(rows[p.Role], report.ExportRow{Email: p.Email, UserID: p.UserID, Status: p.Status, Profile: p.Profile})
	}
	var exp bytes.Buffer
	if err := report.Export(&exp, school, rows); err != nil {
		t.Fatal(err)
	}
	im2 := e.upload(t, "school2", "export.xlsx", exp.Bytes(), roster.ImportSettings{Role: "student"})
	plans = e.suggestAll(t, im2, [][2]string{{"student", "student"}, {"instructor", "instructor"}, {"parent", "parent"}}, report.HeaderRow)
	done = e.run(t, im2, plans)
	if done.Status != roster.ImportCompleted {
		t.Fatalf("export import status = %s (%s)", done.Status, done.Error)
	}
	if d := cmp.Diff(roster.Counts{Created: 4}, done.Counts); d != "" {
		t.Errorf("F7 export import counts (-want +got):\n%s", d)
	}
	copied := e.participants(t, "school2")
	if d := cmp.Diff(orig, copied); d != "" {
		t.Errorf("F7: participants copied by export and import (-school +school2):\n%s", d)
	}
}

// TestEditsInReview: V8 edits are re-validated at once and used by the run:
// one fixes a bad row, one breaks a good row, one leaves a row out
// (column -1 with a value: counted skipped).
func TestEditsInReview(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{}, school)
	csv := "Email,Grade\nfix-me,5\ngood@example.com,6\nleave@example.com,7\nkeep@example.com,8\n"
	im := e.upload(t, "school", "s.csv", []byte(csv), roster.ImportSettings{Role: "student"})
	got, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, got.Sheets); err != nil {
		t.Fatal(err)
	}
	name := got.Sheets[0].Name
	tests := []struct {
		name       string
		edit       roster.CellEdit
		wantAction roster.Action
		wantRule   string
	}{
		// The edited row comes back with what the run will do (V7).
		{"V8_fixes_a_row", roster.CellEdit{Sheet: name, Row: 2, Column: 0, Value: "fixed@example.com"}, roster.ActionCreate, ""},
		{"V8_breaks_a_good_row", roster.CellEdit{Sheet: name, Row: 3, Column: 1, Value: "six"}, roster.ActionReject, "V5"},
		{"V8_excludes_a_row", roster.CellEdit{Sheet: name, Row: 4, Column: -1, Value: "out"}, roster.ActionSkip, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := e.svc.EditCells(ctx, tenant, im.ID, []roster.CellEdit{tc.edit})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Row != tc.edit.Row {
				t.Fatalf("EditCells(row %d) entries = %+v, want the edited row", tc.edit.Row, entries)
			}
			en := entries[0]
			if en.Flags == nil {
				t.Errorf("row %d flags = nil, want a list (empty when none)", en.Row)
			}
			if en.Action != tc.wantAction {
				t.Errorf("row %d action = %q, want %q", en.Row, en.Action, tc.wantAction)
			}
			if tc.wantRule == "" && roster.HasErrors(en.Flags) {
				t.Errorf("row %d flags = %+v, want no error", en.Row, en.Flags)
			}
			if tc.wantRule != "" && (len(en.Flags) == 0 || en.Flags[0].Rule != tc.wantRule) {
				t.Errorf("row %d flags = %+v, want %s", en.Row, en.Flags, tc.wantRule)
			}
		})
	}
	want := roster.Counts{Created: 2, Rejected: 1, Skipped: 1}
	rv, err := e.svc.Review(ctx, tenant, im.ID, importer.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, rv.Counts); d != "" {
		t.Errorf("V7 review counts after the edits (-want +got):\n%s", d)
	}
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted {
		t.Fatalf("status after the edits = %s (%s), want COMPLETED", done.Status, done.Error)
	}
	if d := cmp.Diff(want, done.Counts); d != "" {
		t.Errorf("applied counts after the edits (-want +got):\n%s", d)
	}
	ps := e.participants(t, "school")
	for _, email := range []string{"fixed@example.com", "keep@example.com"} {
		if _, ok := ps[email]; !ok {
			t.Errorf("participants %v lack %s", keys(ps), email)
		}
	}
	for _, email := range []string{"good@example.com", "leave@example.com"} {
		if _, ok := ps[email]; ok {
			t.Errorf("participants hold %s, which the edits reject or leave out", email)
		}
	}
}

// TestRememberedMapping: M4 a mapping confirmed once is suggested first for
// the same program, role and header layout, and not for another role.
func TestRememberedMapping(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{}, school)
	csv := []byte("Email,Notes,Town\na@example.com,x,Oslo\n")
	im := e.upload(t, "school", "a.csv", csv, roster.ImportSettings{Role: "student"})
	first, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	plan := first.Sheets[0]
	plan.Mapping = roster.Mapping{"email", "ignore", "field:city"}
	done := e.run(t, im, []roster.SheetPlan{plan})
	if done.Status != roster.ImportCompleted {
		t.Fatalf("status = %s (%s)", done.Status, done.Error)
	}

	again := e.upload(t, "school", "b.csv", []byte("email , NOTES,town\nb@example.com,y,Rome\n"), roster.ImportSettings{Role: "student"})
	for _, tc := range []struct {
		name           string
		role           string
		wantRemembered bool
	}{
		{"M4_same_layout_and_role", "student", true},
		{"M4_other_role_not_remembered", "parent", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sg, err := e.svc.Suggest(ctx, tenant, again.ID, "b", tc.role, 1)
			if err != nil {
				t.Fatal(err)
			}
			if sg.Remembered != tc.wantRemembered {
				t.Fatalf("Suggest(%s) remembered = %t, want %t", tc.role, sg.Remembered, tc.wantRemembered)
			}
			if tc.wantRemembered {
				if d := cmp.Diff(plan.Mapping, sg.Plan.Mapping); d != "" {
					t.Errorf("remembered mapping (-confirmed +suggested):\n%s", d)
				}
			}
		})
	}
	parsed, err := e.svc.GetImport(ctx, tenant, again.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(plan.Mapping, parsed.Sheets[0].Mapping); d != "" {
		t.Errorf("M4: the plan parsed by default (-confirmed +parsed):\n%s", d)
	}
}

// TestStartAndCancel: an import cancelled before it starts never runs; an
// import started twice is refused the second time with a conflict (the API's
// 409), and nothing runs twice.
func TestStartAndCancel(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{}, school)
	mapped := func(name string) roster.Import {
		im := e.upload(t, "school", name, []byte("Email\n"+strings.TrimSuffix(name, ".csv")+"@example.com\n"), roster.ImportSettings{Role: "student"})
		got, err := e.svc.GetImport(ctx, tenant, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetPlans(ctx, tenant, im.ID, got.Sheets); err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("cancel_before_start", func(t *testing.T) {
		im := mapped("cancelled.csv")
		got, err := e.svc.Cancel(ctx, tenant, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != roster.ImportCancelled {
			t.Errorf("status after Cancel = %s, want CANCELLED", got.Status)
		}
		if _, err := e.svc.Start(ctx, tenant, im.ID); !errors.Is(err, roster.ErrConflict) {
			t.Errorf("Start of a cancelled import: err = %v, want a conflict", err)
		}
		if _, ok := e.participants(t, "school")["cancelled@example.com"]; ok {
			t.Error("a cancelled import wrote its participant")
		}
		if _, err := e.svc.SetPlans(ctx, tenant, im.ID, im.Sheets); !errors.Is(err, roster.ErrConflict) {
			t.Errorf("SetPlans of a cancelled import: err = %v, want a conflict", err)
		}
	})

	t.Run("start_twice", func(t *testing.T) {
		im := mapped("twice.csv")
		if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Start(ctx, tenant, im.ID)
		if !errors.Is(err, roster.ErrConflict) {
			t.Errorf("second Start: err = %v, want a conflict", err)
		}
		got, err := e.svc.GetImport(ctx, tenant, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != roster.ImportCompleted || got.Counts != (roster.Counts{Created: 1}) {
			t.Errorf("after a second Start: status %s counts %+v, want COMPLETED with 1 created", got.Status, got.Counts)
		}
		if _, err := e.svc.Cancel(ctx, tenant, im.ID); !errors.Is(err, roster.ErrConflict) {
			t.Errorf("Cancel of a completed import: err = %v, want a conflict", err)
		}
	})
}

// TestFailureEmail: A12 a run that fails (here the rows limit, passed only
// once prepare reads past the preview) emails the admin why and that
// nothing was written; a completed run's email carries its counts.
func TestFailureEmail(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{MaxRows: 35}, school)
	var b strings.Builder
	b.WriteString("Email\n")
	for i := range 40 {
		fmt.Fprintf(&b, "s%02d@example.com\n", i)
	}
	im := e.upload(t, "school", "big.csv", []byte(b.String()), roster.ImportSettings{Role: "student"})
	got, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := e.run(t, got, got.Sheets)
	if done.Status != roster.ImportFailed {
		t.Fatalf("status = %s, want FAILED", done.Status)
	}
	if n := len(e.participants(t, "school")); n != 0 {
		t.Errorf("participants after a failed prepare = %d, want 0", n)
	}
	sent, err := e.outbox.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 {
		t.Fatalf("emails = %d, want 1 failure email", len(sent))
	}
	m := sent[0]
	if d := cmp.Diff([]string{"admin@example.com"}, m.To); d != "" {
		t.Errorf("failure email recipients (-want +got):\n%s", d)
	}
	for _, want := range []string{"failed", "limit of 35", "Nothing was written"} {
		if !strings.Contains(m.Subject+"\n"+m.Text, want) {
			t.Errorf("failure email %q / %q does not say %q", m.Subject, m.Text, want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestHeaderPastPreview: F4 a header-like row below the preview (rows 21
// to 30 help score candidates) is not proposed, since a header row must be
// one the preview shows; the upload is parsed, not failed.
func TestHeaderPastPreview(t *testing.T) {
	ctx := context.Background()
	e := newScenarioEnv(t, sheet.Limits{}, school)
	var b strings.Builder
	for i := range 22 {
		fmt.Fprintf(&b, "Report line %d\n", i)
	}
	b.WriteString("Email,City\na@example.com,Oslo\n")
	im := e.upload(t, "school", "deep.csv", []byte(b.String()), roster.ImportSettings{Role: "student"})
	got, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != roster.ImportParsed {
		t.Errorf("status = %s (%s), want PARSED", got.Status, got.Error)
	}
	st, err := e.svc.Structure(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Sheets[0].HeaderCandidates {
		if c.Row > importer.PreviewRows {
			t.Errorf("header candidate row %d is past the %d-row preview", c.Row, importer.PreviewRows)
		}
	}
}
