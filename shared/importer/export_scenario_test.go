package importer_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// TestExportRoundTripSeparator: F7 an export of answers whose options
// contain ", " imports into another program, with the separator its note
// row names, as the same participants with the same answers.
func TestExportRoundTripSeparator(t *testing.T) {
	clubs := roster.Program{Tenant: tenant, ID: "clubs", Name: "Clubs", Roles: []string{"member"},
		Questions: []roster.Question{
			{Key: "topics", Label: "Topics", Type: roster.TypeMulti, Options: []string{"Reading, writing", "Math", "Art, music"}},
			{Key: "grade", Label: "Grade", Type: roster.TypeNumber},
		}}
	copyTo := clubs
	copyTo.ID, copyTo.Name = "clubs2", "Clubs, next year"
	e := newScenarioEnv(t, sheet.Limits{}, clubs, copyTo)

	csv := "Email,Topics,Grade\n" +
		"ann@example.com,\"Reading, writing; Art, music\",5\n" +
		"bob@example.com,Math,6\n" +
		"cy@example.com,\"art, MUSIC;math;Reading, writing\",\n"
	im := e.upload(t, "clubs", "members.csv", []byte(csv), roster.ImportSettings{Role: "member", Separator: ";"})
	got, err := e.svc.GetImport(t.Context(), tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := e.run(t, im, got.Sheets)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 3}) {
		t.Fatalf("import = %s %+v (%s), want 3 created", done.Status, done.Counts, done.Error)
	}
	orig := e.participants(t, "clubs")
	if d := cmp.Diff([]string{"Art, music", "Math", "Reading, writing"}, orig["cy@example.com"].Profile["topics"]); d != "" {
		t.Fatalf("answers of cy (-want +got):\n%s", d)
	}

	rows := map[string][]report.ExportRow{}
	for _, p := range orig {
		rows[p.Role] = append(rows[p.Role], report.ExportRow{Email: p.Email, UserID: p.UserID, Status: p.Status, Profile: p.Profile})
	}
	var exp bytes.Buffer
	if err := report.Export(&exp, clubs, rows); err != nil {
		t.Fatal(err)
	}
	sep := noteSeparator(t, exp.Bytes(), "member")
	if sep != ";" {
		t.Fatalf("F7: the export's note names separator %q, want \";\" (options contain \", \")", sep)
	}
	im2 := e.upload(t, "clubs2", "export.xlsx", exp.Bytes(), roster.ImportSettings{Role: "member", Separator: sep})
	plans := e.suggestAll(t, im2, [][2]string{{"member", "member"}}, report.HeaderRow)
	done = e.run(t, im2, plans)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 3}) {
		t.Fatalf("import of the export = %s %+v (%s), want 3 created", done.Status, done.Counts, done.Error)
	}
	if d := cmp.Diff(orig, e.participants(t, "clubs2")); d != "" {
		t.Errorf("F7: participants copied by export and import (-clubs +clubs2):\n%s", d)
	}
}

// noteSeparator reads the separator the note row of a workbook's tab names.
func noteSeparator(t *testing.T, xlsx []byte, tab string) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(tab)
	if err != nil || len(rows) < report.NoteRow {
		t.Fatalf("tab %s: %d rows, %v", tab, len(rows), err)
	}
	sep, ok := report.NoteSeparator(rows[report.NoteRow-1])
	if !ok {
		t.Fatalf("tab %s: the note row names no separator: %q", tab, rows[report.NoteRow-1][0])
	}
	return sep
}

// TestExportCopiesUsernameOnlyStudents: F7 with V9 the export carries
// usernames and links (A9), so that importing it into another program
// copies username-only students with their parents.
func TestExportCopiesUsernameOnlyStudents(t *testing.T) {
	ctx := t.Context()
	copyTo := school
	copyTo.ID, copyTo.Name = "school2", "Summer school"
	e := newScenarioEnv(t, sheet.Limits{}, school, copyTo)
	file := workbook(t, []string{"Students", "Parents"}, map[string][][]any{
		"Students": {
			{"Username", "Email", "Grade", "Subjects", "Parent"},
			{"sam.k", "", 5, "Math, Art", "mum@example.com"},
			{"kidk", "kid@example.com", 6, "", "mum@example.com, dad@example.com"},
		},
		"Parents": {{"Email", "Photo consent"}, {"mum@example.com", "yes"}, {"dad@example.com", "no"}},
	})
	im := e.upload(t, "school", "school.xlsx", file, roster.ImportSettings{Role: "student"})
	plans := e.suggestAll(t, im, [][2]string{{"Students", "student"}, {"Parents", "parent"}}, 1)
	if done := e.run(t, im, plans); done.Counts != (roster.Counts{Created: 4}) {
		t.Fatalf("import = %s %+v (%s), want 4 created", done.Status, done.Counts, done.Error)
	}
	list := func(programID string) []importer.ParticipantView {
		ps, err := e.svc.ListParticipants(ctx, tenant, programID, "")
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	orig := list("school")
	var exp bytes.Buffer
	if err := report.Export(&exp, school, importer.ExportRows(orig)); err != nil {
		t.Fatal(err)
	}
	im2 := e.upload(t, "school2", "export.xlsx", exp.Bytes(), roster.ImportSettings{Role: "student", Separator: noteSeparator(t, exp.Bytes(), "student")})
	plans = e.suggestAll(t, im2, [][2]string{{"student", "student"}, {"instructor", "instructor"}, {"parent", "parent"}}, report.HeaderRow)
	wantMap := append(report.TemplateMapping(school, "student"), "username", "assoc:parent")
	wantMap[1] = "" // no User IDs in the export: left unmapped
	if d := cmp.Diff(wantMap, plans[0].Mapping); d != "" {
		t.Errorf("M3 suggested mapping of the export's student tab (-want +got):\n%s", d)
	}
	done := e.run(t, im2, plans)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 4}) {
		t.Fatalf("import of the export = %s %+v (%s), want 4 created", done.Status, done.Counts, done.Error)
	}
	if d := cmp.Diff(orig, list("school2")); d != "" {
		t.Errorf("F7, V9: participants copied by export and import (-school +school2):\n%s", d)
	}
}
