package report

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// TestExportStreamRoundTrip streams more rows than excelize keeps in memory
// before spilling a tab to its temporary file, interleaving the roles as
// the store lists them, and reads every row back in order (F7).
func TestExportStreamRoundTrip(t *testing.T) {
	p := testProgram()
	const n = 60_000 // ~18 MB of sheet XML: past excelize's 16 MB chunk
	row := func(i int) (string, ExportRow) {
		r := ExportRow{Email: fmt.Sprintf("p%06d@example.com", i), UserID: fmt.Sprintf("E-%06d", i),
			Profile: roster.Profile{"goal": fmt.Sprintf("goal number %d, long enough to fill the sheet", i)}}
		if i%3 == 0 {
			return "mentor", r
		}
		if i == n-1 {
			r.Username = "last.one" // V9: only the last row needs the column
			r.Links = map[string][]string{"mentor": {"p000000@example.com"}}
		}
		return "mentee", r
	}
	passes := 0
	src := func(fn func(string, ExportRow) error) error {
		passes++
		for i := range n {
			if err := fn(row(i)); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	if err := ExportStream(&buf, p, src); err != nil {
		t.Fatalf("ExportStream: %v", err)
	}
	if passes != 2 {
		t.Errorf("source read %d times, want 2 (columns, then rows)", passes)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active tab = %d, want 0 (the first role's)", i)
	}
	got := map[string][][]string{}
	for _, role := range p.Roles {
		rows, err := f.GetRows(role)
		if err != nil {
			t.Fatalf("GetRows(%s): %v", role, err)
		}
		got[role] = rows
	}
	menteeHeaders := append(TemplateHeaders(p, "mentee"), HeaderUsername, "mentor")
	if h := got["mentee"][0]; fmt.Sprint(h) != fmt.Sprint(menteeHeaders) {
		t.Errorf("mentee headers = %q, want %q (V9, A9: the last row's username and link decide them)", h, menteeHeaders)
	}
	if h := got["mentor"][0]; fmt.Sprint(h) != fmt.Sprint(TemplateHeaders(p, "mentor")) {
		t.Errorf("mentor headers = %q, want the template's", h)
	}
	next := map[string]int{"mentee": FirstDataRow - 1, "mentor": FirstDataRow - 1}
	for i := range n {
		role, want := row(i)
		rows := got[role]
		k := next[role]
		next[role]++
		if k >= len(rows) {
			t.Fatalf("%s tab has %d rows; participant %d missing", role, len(rows), i)
		}
		if rows[k][0] != want.Email || rows[k][1] != want.UserID || rows[k][3] != want.Profile["goal"] {
			t.Fatalf("%s row %d = %q, want participant %d (%s)", role, k+1, rows[k], i, want.Email)
		}
	}
	last := got["mentee"][len(got["mentee"])-1]
	if u, l := last[len(last)-2], last[len(last)-1]; u != "last.one" || l != "p000000@example.com" {
		t.Errorf("last mentee row ends %q, %q; want its username and link", u, l)
	}
	for role, rows := range got {
		if len(rows) != next[role] {
			t.Errorf("%s tab has %d rows, want %d", role, len(rows), next[role])
		}
	}
}

// TestExportStreamChangedBetweenPasses refuses an export whose second pass
// meets a column the first did not see, rather than leaving data out.
func TestExportStreamChangedBetweenPasses(t *testing.T) {
	p := testProgram()
	passes := 0
	src := func(fn func(string, ExportRow) error) error {
		passes++
		r := ExportRow{Email: "ann@example.com"}
		if passes == 2 {
			r.Username = "ann"
		}
		return fn("mentee", r)
	}
	var buf bytes.Buffer
	err := ExportStream(&buf, p, src)
	if !errors.Is(err, errChanged) {
		t.Fatalf("ExportStream = %v, want %v", err, errChanged)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written before the error, want none", buf.Len())
	}
}

// TestExportStreamUnknownRole names a role the program does not have.
func TestExportStreamUnknownRole(t *testing.T) {
	err := ExportStream(&bytes.Buffer{}, testProgram(), func(fn func(string, ExportRow) error) error {
		return fn("coach", ExportRow{Email: "ann@example.com"})
	})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(`role "coach"`)) {
		t.Fatalf("ExportStream = %v, want an error naming role coach", err)
	}
}
