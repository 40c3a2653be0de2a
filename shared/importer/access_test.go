package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// doorEnv is a service over the embedded adapters with its outbox listed,
// used through the callers' door (Session).
type doorEnv struct {
	svc   *importer.Service
	admin *importer.Session
}

var mentoringProgram = roster.Program{ID: "mentoring", Name: "Mentoring", Roles: []string{"mentee", "mentor"},
	Questions: []roster.Question{{Key: "city", Label: "City", Type: roster.TypeText}}}

func admin(tenant string, programs ...string) roster.Caller {
	if programs == nil {
		programs = []string{roster.AllPrograms}
	}
	return roster.Caller{Tenant: tenant, Subject: "admin-" + tenant, Email: "admin@" + tenant + ".example", Kind: roster.KindAdmin, Programs: programs}
}

func participantCaller(tenant, email string) roster.Caller {
	return roster.Caller{Tenant: tenant, Subject: "p-" + email, Email: email, Kind: roster.KindParticipant, Programs: []string{roster.AllPrograms}}
}

func newDoorEnv(t *testing.T, lim sheet.Limits) *doorEnv {
	t.Helper()
	dir := t.TempDir()
	st := boltBackend.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	svc := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, SentMail: ob, BatchSize: 2, TmpDir: dir, Limits: lim})
	svc.SetWorkflow(inproc.New(svc, inproc.Options{}))
	e := &doorEnv{svc: svc, admin: svc.As(admin(tenant))}
	if _, err := e.admin.PutProgram(context.Background(), mentoringProgram); err != nil {
		t.Fatal(err)
	}
	return e
}

// importText runs a pasted import to its end as se.
func importText(t *testing.T, se *importer.Session, programID, role, text string, notify bool) roster.Import {
	t.Helper()
	ctx := context.Background()
	im, err := se.CreateImport(ctx, programID, "pasted.csv", roster.ImportSettings{Role: role, Notify: notify})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := se.Paste(ctx, im.ID, text); err != nil {
		t.Fatal(err)
	}
	if _, err := se.Choose(ctx, im.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := se.Start(ctx, im.ID); err != nil {
		t.Fatal(err)
	}
	im, err = se.GetImport(ctx, im.ID)
	if err != nil || im.Status != roster.ImportCompleted {
		t.Fatalf("import = %s %q, %v; want COMPLETED", im.Status, im.Error, err)
	}
	return im
}

// TestParticipantCannotAdminister: X1 in the use cases, whatever the entry
// point. A participant's caller is refused every admin use case, among them
// turning the lock off (A8), listing everyone and reading the outbox.
func TestParticipantCannotAdminister(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	locked := mentoringProgram
	locked.Settings.LockImportedProfiles = true
	if _, err := e.admin.PutProgram(ctx, locked); err != nil {
		t.Fatal(err)
	}
	im := importText(t, e.admin, "mentoring", "mentee", "Email,City\nada@example.com,Paris\n", true)
	ada := e.svc.As(participantCaller(tenant, "ada@example.com"))
	unlocked := locked
	unlocked.Settings.LockImportedProfiles = false
	calls := map[string]func() error{
		"turn the lock off": func() error { _, err := ada.PutProgram(ctx, unlocked); return err },
		"get the program":   func() error { _, err := ada.GetProgram(ctx, "mentoring"); return err },
		"list participants": func() error {
			_, err := ada.ListParticipants(ctx, "mentoring", importer.ParticipantQuery{})
			return err
		},
		"read the outbox": func() error { _, err := ada.Outbox(ctx); return err },
		"create an import": func() error {
			_, err := ada.CreateImport(ctx, "mentoring", "x.csv", roster.ImportSettings{Role: "mentee"})
			return err
		},
		"get an import": func() error { _, err := ada.GetImport(ctx, im.ID); return err },
		"list imports":  func() error { _, err := ada.ListImports(ctx, "mentoring"); return err },
		"read a report": func() error { _, err := ada.Report(ctx, im.ID); return err },
		"export":        func() error { return ada.Export(ctx, "mentoring", "", io.Discard) },
		"suspend someone": func() error {
			return ada.SetStatus(ctx, "mentoring", "ada@example.com", roster.StatusSuspended, false)
		},
		"edit someone else": func() error {
			return ada.EditProfile(ctx, "mentoring", "bob@example.com", map[string]string{"city": "Rome"}, "")
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, roster.ErrForbidden) {
				t.Errorf("participant: %s = %v, want forbidden", name, err)
			}
		})
	}
	p, err := e.admin.GetProgram(ctx, "mentoring")
	if err != nil || !p.Settings.LockImportedProfiles {
		t.Errorf("program after the participant's calls: lock %v (%v), want still on", p.Settings.LockImportedProfiles, err)
	}
	// What a participant may do: their own profile, under A8.
	if err := ada.EditOwnProfile(ctx, "mentoring", map[string]string{"city": "Rome"}, ""); !errors.Is(err, roster.ErrLocked) {
		t.Errorf("A8 own edit of an imported answer under the lock = %v, want locked", err)
	}
	own, err := ada.OwnProfile(ctx, "mentoring")
	if err != nil || own.Email != "ada@example.com" || own.Profile["city"] != "Paris" {
		t.Errorf("OwnProfile = %+v, %v; want ada's profile with city Paris", own, err)
	}
}

// TestOutboxOwnTenantOnly: an admin reads their own tenant's mail only (X1).
func TestOutboxOwnTenantOnly(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	globex := e.svc.As(admin("globex"))
	if _, err := globex.PutProgram(ctx, mentoringProgram); err != nil {
		t.Fatal(err)
	}
	importText(t, e.admin, "mentoring", "mentee", "Email\nada@example.com\n", true)
	importText(t, globex, "mentoring", "mentee", "Email\nzed@globex.example\nyan@globex.example\n", true)
	for _, tc := range []struct {
		se     *importer.Session
		tenant string
		want   []string
	}{
		{e.admin, tenant, []string{"ada@example.com"}},
		{globex, "globex", []string{"yan@globex.example", "zed@globex.example"}},
	} {
		sent, err := tc.se.Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var invited []string
		for _, m := range sent {
			if importer.MessageTenant(m.Key) != tc.tenant {
				t.Errorf("outbox of %s has %s's message %s", tc.tenant, importer.MessageTenant(m.Key), m.Key)
			}
			if strings.HasPrefix(m.Key, "invite/") {
				invited = append(invited, m.To...)
			}
		}
		if fmt.Sprint(sortedCopy(invited)) != fmt.Sprint(tc.want) {
			t.Errorf("invitations in %s's outbox = %v, want %v", tc.tenant, invited, tc.want)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestIDShapes: tenant and program IDs are checked before they reach a key.
func TestIDShapes(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	for _, id := range []string{"..", "a\x00b", "\u202eevil", "a/b", "", "a b", strings.Repeat("x", 65)} {
		p := mentoringProgram
		p.ID = id
		if _, err := e.admin.PutProgram(ctx, p); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("PutProgram(id %q) = %v, want invalid", id, err)
		}
		if _, err := e.admin.CreateImport(ctx, id, "x.csv", roster.ImportSettings{Role: "mentee"}); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("CreateImport(program %q) = %v, want invalid", id, err)
		}
		if _, err := e.svc.CreateImport(ctx, tenant, id, "x.csv", "", roster.ImportSettings{Role: "mentee"}); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("Service.CreateImport(program %q) = %v, want invalid", id, err)
		}
	}
	for _, tn := range []string{"a/b", "..", "t\x00", ""} {
		se := e.svc.As(admin(tn))
		if _, err := se.CreateImport(ctx, "mentoring", "x.csv", roster.ImportSettings{Role: "mentee"}); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("CreateImport as tenant %q = %v, want invalid", tn, err)
		}
	}
	ims, err := e.admin.ListImports(ctx, "mentoring")
	if err != nil || len(ims) != 0 {
		t.Errorf("imports after refused creations = %d (%v), want 0", len(ims), err)
	}
}

// TestEditsPointingAtNothing: an edit of no data cell is refused with the
// reason and nothing is stored (V8).
func TestEditsPointingAtNothing(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	im, err := e.admin.CreateImport(ctx, "mentoring", "people.csv", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		t.Fatal(err)
	}
	// A title row, then the header in row 2: the header is found there.
	text := "Mentees 2026,,,,,,,,,\nEmail,City,c,d,e,f,g,h,i,j\nada@example.com,Paris,,,,,,,,\nbob@example.com,Rome,,,,,,,,\n"
	if _, err := e.admin.Paste(ctx, im.ID, text); err != nil {
		t.Fatal(err)
	}
	im, err = e.admin.Choose(ctx, im.ID, []importer.SheetChoice{{HeaderRow: new(2)}})
	if err != nil {
		t.Fatal(err)
	}
	sheetName := im.Sheets[0].Name
	for _, tc := range []struct {
		name string
		edit roster.CellEdit
		want string
	}{
		{"row beyond the sheet", roster.CellEdit{Sheet: sheetName, Row: 99999, Column: 0, Value: "x@example.com"}, "last row is 4"},
		{"the header row", roster.CellEdit{Sheet: sheetName, Row: 2, Column: 0, Value: "Mail"}, "is the header row"},
		{"a row above the header", roster.CellEdit{Sheet: sheetName, Row: 1, Column: 0, Value: "x"}, "above the header row 2"},
		{"a column beyond the sheet", roster.CellEdit{Sheet: sheetName, Row: 3, Column: 50, Value: "x"}, "has 10 columns"},
		{"row 0", roster.CellEdit{Sheet: sheetName, Row: 0, Column: 0, Value: "x"}, "numbered from 1"},
		{"a sheet not imported", roster.CellEdit{Sheet: "nope", Row: 3, Column: 0, Value: "x"}, "not being imported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.admin.EditCells(ctx, im.ID, []roster.CellEdit{tc.edit})
			if !errors.Is(err, roster.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("EditCells(%+v) = %v, want invalid saying %q", tc.edit, err, tc.want)
			}
		})
	}
	got, err := e.admin.GetImport(ctx, im.ID)
	if err != nil || len(got.Edits) != 0 {
		t.Errorf("edits stored after refusals = %v (%v), want none", got.Edits, err)
	}
	entries, err := e.admin.EditCells(ctx, im.ID, []roster.CellEdit{{Sheet: sheetName, Row: 4, Column: 9, Value: "x"}})
	if err != nil || len(entries) != 1 || entries[0].Action != roster.ActionCreate || entries[0].Flags == nil {
		t.Errorf("edit of the last cell = %+v, %v; want row 4 to be created, flags []", entries, err)
	}
}

// TestUploadOverTheLimit: a file over ROSTER_MAX_FILE_SIZE is refused whole
// whether its size is known or found while reading; the import stays
// CREATED and the upload can be retried (F8).
func TestUploadOverTheLimit(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{MaxFileSize: 1 << 10})
	ctx := context.Background()
	im, err := e.admin.CreateImport(ctx, "mentoring", "people.csv", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		t.Fatal(err)
	}
	big := "Email\n" + strings.Repeat("someone@example.com\n", 100) // 2 KB
	for _, size := range []int64{int64(len(big)), -1} {
		_, err := e.admin.Upload(ctx, im.ID, strings.NewReader(big), size)
		want := "file people.csv is 2 KB; the limit is 1 KB"
		if size < 0 {
			want = "file people.csv is larger than the limit of 1 KB"
		}
		if !errors.Is(err, roster.ErrTooLarge) || err.Error() != want {
			t.Errorf("Upload(size %d) = %v, want %q", size, err, want)
		}
		got, _ := e.admin.GetImport(ctx, im.ID)
		if got.Status != roster.ImportCreated {
			t.Errorf("after Upload(size %d) over the limit: status %s, want CREATED", size, got.Status)
		}
	}
	if _, err := e.admin.Upload(ctx, im.ID, strings.NewReader("Email\nada@example.com\n"), -1); err != nil {
		t.Errorf("retried Upload = %v, want it parsed", err)
	}
	if _, err := e.admin.Paste(ctx, im.ID, big); !errors.Is(err, roster.ErrTooLarge) {
		t.Errorf("Paste over the limit = %v, want too large", err)
	}
}

// TestParticipantPages pages through every participant once with the
// cursor; a page costs its own participants.
func TestParticipantPages(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("Email\n")
	for i := range 25 {
		fmt.Fprintf(&b, "p%02d@example.com\n", i)
	}
	importText(t, e.admin, "mentoring", "mentee", b.String(), false)
	importText(t, e.admin, "mentoring", "mentor", "Email\nmentor@example.com\n", false)
	seen := map[string]bool{}
	q := importer.ParticipantQuery{Role: "mentee", Limit: 10}
	pages := 0
	for {
		page, err := e.admin.ListParticipants(ctx, "mentoring", q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Participants) > 10 {
			t.Fatalf("page of %d, want at most 10", len(page.Participants))
		}
		for _, p := range page.Participants {
			if seen[p.Email] || p.Role != "mentee" {
				t.Errorf("page %d: %s (%s) again or of another role", pages, p.Email, p.Role)
			}
			seen[p.Email] = true
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if len(seen) != 25 || pages != 3 {
		t.Errorf("paged %d mentees in %d pages, want 25 in 3", len(seen), pages)
	}
	for _, q := range []importer.ParticipantQuery{{Cursor: "not-a-cursor"}, {Limit: importer.MaxParticipantPage + 1}, {Limit: -1}} {
		if _, err := e.admin.ListParticipants(ctx, "mentoring", q); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("ListParticipants(%+v) = %v, want invalid", q, err)
		}
	}
}

// TestHeaderDecisionInOnePlace: a headerless CSV gets no header row whether
// the plan is the parsed default (HTTP) or chosen without flags (CLI).
func TestHeaderDecisionInOnePlace(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	im, err := e.admin.CreateImport(ctx, "mentoring", "people.csv", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Paste(ctx, im.ID, "ada@example.com,Paris\nbob@example.com,Rome\ncy@example.com,Oslo\n"); err != nil {
		t.Fatal(err)
	}
	parsed, err := e.admin.GetImport(ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	chosen, err := e.admin.Choose(ctx, im.ID, []importer.SheetChoice{{Columns: []importer.ColumnTarget{{Column: "A", Target: "email"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Sheets[0].HeaderRow != 0 || chosen.Sheets[0].HeaderRow != parsed.Sheets[0].HeaderRow {
		t.Errorf("header row: parsed %d, chosen %d; want 0 for both", parsed.Sheets[0].HeaderRow, chosen.Sheets[0].HeaderRow)
	}
}

// TestSuggestionSaysIgnore: a column the suggestion leaves for the admin is
// "ignore" in the plan, as in its column (M3).
func TestSuggestionSaysIgnore(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	ctx := context.Background()
	im, err := e.admin.CreateImport(ctx, "mentoring", "people.csv", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.Paste(ctx, im.ID, "Email,Shoe size\nada@example.com,38\n"); err != nil {
		t.Fatal(err)
	}
	sg, err := e.admin.Suggest(ctx, im.ID, "people", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range sg.Columns {
		if sg.Plan.Mapping[i] != c.Target {
			t.Errorf("column %d: plan %q, column suggestion %q; want the same", i, sg.Plan.Mapping[i], c.Target)
		}
	}
	if sg.Plan.Mapping[1] != roster.TargetIgnore {
		t.Errorf("plan of Shoe size = %q, want ignore", sg.Plan.Mapping[1])
	}
}

// TestErrorsSayItOnce: a missing import's error does not repeat its prefix.
func TestErrorsSayItOnce(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	_, err := e.admin.GetImport(context.Background(), "imp_nope")
	if !errors.Is(err, roster.ErrNotFound) || err.Error() != "import imp_nope not found" {
		t.Errorf("GetImport(missing) = %q, want %q", err, "import imp_nope not found")
	}
	_, err = e.admin.GetProgram(context.Background(), "nope")
	if !errors.Is(err, roster.ErrNotFound) || err.Error() != "program nope not found" {
		t.Errorf("GetProgram(missing) = %q, want %q", err, "program nope not found")
	}
}

// TestActivationURLAtProgramPut: a javascript: link never reaches an
// invitation's href (A10).
func TestActivationURLAtProgramPut(t *testing.T) {
	e := newDoorEnv(t, sheet.Limits{})
	p := mentoringProgram
	p.Settings.ActivationURL = "javascript:alert(document.cookie)//{token}"
	if _, err := e.admin.PutProgram(context.Background(), p); !errors.Is(err, roster.ErrInvalid) || !strings.Contains(err.Error(), "https") {
		t.Errorf("PutProgram(javascript: link) = %v, want invalid asking for https", err)
	}
	got, err := e.admin.GetProgram(context.Background(), "mentoring")
	if err != nil || got.Settings.ActivationURL != "" {
		t.Errorf("stored link = %q (%v), want none", got.Settings.ActivationURL, err)
	}
}
