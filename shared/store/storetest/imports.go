package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

func program(tenant, id, name string) roster.Program {
	return roster.Program{
		Tenant:   tenant,
		ID:       id,
		Name:     name,
		Settings: roster.Settings{LockImportedProfiles: true, ActivationURL: "https://example.com/join/{program}?t={token}"},
		Roles:    []string{"mentor", "mentee"},
		Questions: []roster.Question{
			{Key: "city", Label: "City", Type: roster.TypeText, Required: true},
			{Key: "skills", Label: "Skills", Type: roster.TypeMulti, Options: []string{"Go", "SQL"}, Roles: []string{"mentor"}},
		},
	}
}

func getProgram(t *testing.T, s importer.Store, tenant, id string) (roster.Program, error) {
	t.Helper()
	return s.GetProgram(t.Context(), tenant, id)
}

func testPrograms(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("missing_is_not_found", func(t *testing.T) {
		s := newStore(t)
		if _, err := getProgram(t, s, "t1", "p1"); !errors.Is(err, roster.ErrNotFound) {
			t.Fatalf("GetProgram(t1, p1) = %v, want roster.ErrNotFound", err)
		}
	})
	t.Run("put_get", func(t *testing.T) {
		s := newStore(t)
		want := program("t1", "p1", "Mentoring 2025")
		if err := s.PutProgram(t.Context(), want); err != nil {
			t.Fatalf("PutProgram = %v", err)
		}
		got, err := getProgram(t, s, "t1", "p1")
		if err != nil {
			t.Fatalf("GetProgram(t1, p1) = %v", err)
		}
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Errorf("GetProgram(t1, p1) (-want +got):\n%s", d)
		}
	})
	t.Run("put_overwrites", func(t *testing.T) {
		s := newStore(t)
		p := program("t1", "p1", "Old")
		if err := s.PutProgram(t.Context(), p); err != nil {
			t.Fatalf("PutProgram = %v", err)
		}
		p.Name, p.Roles, p.Questions = "New", []string{"learner"}, nil
		if err := s.PutProgram(t.Context(), p); err != nil {
			t.Fatalf("PutProgram again = %v", err)
		}
		got, err := getProgram(t, s, "t1", "p1")
		if err != nil {
			t.Fatalf("GetProgram(t1, p1) = %v", err)
		}
		if d := cmp.Diff(p, got, opts); d != "" {
			t.Errorf("GetProgram after overwrite (-want +got):\n%s", d)
		}
	})
	t.Run("tenants_isolated", func(t *testing.T) {
		s := newStore(t)
		for _, p := range []roster.Program{program("t1", "p1", "One"), program("t2", "p1", "Two")} {
			if err := s.PutProgram(t.Context(), p); err != nil {
				t.Fatalf("PutProgram(%s/%s) = %v", p.Tenant, p.ID, err)
			}
		}
		for tenant, name := range map[string]string{"t1": "One", "t2": "Two"} {
			got, err := getProgram(t, s, tenant, "p1")
			if err != nil || got.Name != name || got.Tenant != tenant {
				t.Errorf("GetProgram(%s, p1) = %q (tenant %q), %v; want %q", tenant, got.Name, got.Tenant, err, name)
			}
		}
		if _, err := getProgram(t, s, "t3", "p1"); !errors.Is(err, roster.ErrNotFound) {
			t.Errorf("GetProgram(t3, p1) = %v, want roster.ErrNotFound", err)
		}
	})
	t.Run("separators_in_ids_do_not_collide", func(t *testing.T) {
		s := newStore(t)
		// Stores that join key parts with a separator must escape it.
		ps := []roster.Program{
			program("a", "b#c", "1"), program("a#b", "c", "2"),
			program("a", "b/c", "3"), program("a/b", "c", "4"),
			program("a", "b:c", "5"), program("a:b", "c", "6"),
			program("a", "b|c", "7"), program("a|b", "c", "8"),
		}
		for _, p := range ps {
			if err := s.PutProgram(t.Context(), p); err != nil {
				t.Fatalf("PutProgram(%q, %q) = %v", p.Tenant, p.ID, err)
			}
		}
		for _, want := range ps {
			got, err := getProgram(t, s, want.Tenant, want.ID)
			if err != nil || got.Name != want.Name {
				t.Errorf("GetProgram(%q, %q) = %q, %v; want %q", want.Tenant, want.ID, got.Name, err, want.Name)
			}
		}
	})
}

func newImport(tenant, id, programID string, created time.Time) roster.Import {
	return roster.Import{
		Tenant:    tenant,
		ID:        id,
		ProgramID: programID,
		FileName:  "people.xlsx",
		FileKey:   "uploads/" + tenant + "/" + programID + "/" + id + "/file",
		Settings:  roster.ImportSettings{Separator: ";", Overwrite: true, Notify: true, DateOrder: roster.MDY},
		Status:    roster.ImportCreated,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func putImport(t *testing.T, s importer.Store, im roster.Import) roster.Import {
	t.Helper()
	got, err := s.PutImport(t.Context(), im)
	if err != nil {
		t.Fatalf("PutImport(%s/%s v%d) = %v", im.Tenant, im.ID, im.Version, err)
	}
	return got
}

func wantImport(t *testing.T, s importer.Store, want roster.Import) {
	t.Helper()
	got, err := s.GetImport(t.Context(), want.Tenant, want.ID)
	if err != nil {
		t.Fatalf("GetImport(%s, %s) = %v", want.Tenant, want.ID, err)
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Fatalf("GetImport(%s, %s) (-want +got):\n%s", want.Tenant, want.ID, d)
	}
}

func testImports(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("create_returns_version_1", func(t *testing.T) {
		s := newStore(t)
		im := newImport("t1", "i1", "p1", when)
		got := putImport(t, s, im)
		want := im
		want.Version = 1
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Fatalf("PutImport returned (-want +got):\n%s", d)
		}
		wantImport(t, s, want)
	})
	t.Run("round_trip_every_field", func(t *testing.T) {
		s := newStore(t)
		im := newImport("t1", "i1", "p1", when)
		im.Sheets = []roster.SheetPlan{
			{Name: "Mentors", Role: "mentor", HeaderRow: 2, Headers: []string{"Email", "City"}, Mapping: roster.Mapping{"email", "field:city"}},
			{Name: "Mentees", Role: "mentee", Mapping: roster.Mapping{"email", "ignore", ""}},
		}
		im.Edits = []roster.CellEdit{{Sheet: "Mentors", Row: 3, Column: 1, Value: "Paris"}}
		im.Status = roster.ImportFailed
		im.Counts = roster.Counts{Created: 1, Updated: 2, Unchanged: 3, Skipped: 4, Rejected: 5}
		im.Batches = 7
		im.Error = "batch 3: boom"
		im.Admin = "admin@example.com"
		im.ReportKeys = []string{"reports/a.csv", "reports/b.xlsx"}
		im.UpdatedAt = when.Add(time.Hour)
		got := putImport(t, s, im)
		im.Version = 1
		if d := cmp.Diff(im, got, opts); d != "" {
			t.Fatalf("PutImport returned (-want +got):\n%s", d)
		}
		wantImport(t, s, im)
	})
	t.Run("update_with_current_version", func(t *testing.T) {
		s := newStore(t)
		im := putImport(t, s, newImport("t1", "i1", "p1", when))
		im.Status = roster.ImportParsed
		im.Sheets = []roster.SheetPlan{{Name: "Sheet1", Role: "mentee", HeaderRow: 1}}
		got := putImport(t, s, im)
		want := im
		want.Version = 2
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Fatalf("PutImport update returned (-want +got):\n%s", d)
		}
		wantImport(t, s, want)
	})
	t.Run("stale_version_conflicts", func(t *testing.T) {
		s := newStore(t)
		v1 := putImport(t, s, newImport("t1", "i1", "p1", when))
		v1.Status = roster.ImportParsed
		v2 := putImport(t, s, v1)
		stale := v1 // still Version 1
		stale.Status = roster.ImportCancelled
		if _, err := s.PutImport(t.Context(), stale); !errors.Is(err, roster.ErrConflict) {
			t.Fatalf("PutImport(stale v1) = %v, want roster.ErrConflict", err)
		}
		wantImport(t, s, v2)
		ahead := v2
		ahead.Version = 5
		if _, err := s.PutImport(t.Context(), ahead); !errors.Is(err, roster.ErrConflict) {
			t.Fatalf("PutImport(v5 over v2) = %v, want roster.ErrConflict", err)
		}
		wantImport(t, s, v2)
	})
	t.Run("create_existing_conflicts", func(t *testing.T) {
		s := newStore(t)
		first := putImport(t, s, newImport("t1", "i1", "p1", when))
		again := newImport("t1", "i1", "p2", when.Add(time.Minute))
		if _, err := s.PutImport(t.Context(), again); !errors.Is(err, roster.ErrConflict) {
			t.Fatalf("PutImport(new import with existing ID) = %v, want roster.ErrConflict", err)
		}
		wantImport(t, s, first)
	})
	t.Run("update_missing_conflicts", func(t *testing.T) {
		s := newStore(t)
		im := newImport("t1", "i1", "p1", when)
		im.Version = 1
		if _, err := s.PutImport(t.Context(), im); !errors.Is(err, roster.ErrConflict) {
			t.Fatalf("PutImport(v1 of a missing import) = %v, want roster.ErrConflict", err)
		}
		if _, err := s.GetImport(t.Context(), "t1", "i1"); !errors.Is(err, roster.ErrNotFound) {
			t.Fatalf("GetImport after failed PutImport = %v, want roster.ErrNotFound", err)
		}
	})
	t.Run("missing_is_not_found", func(t *testing.T) {
		s := newStore(t)
		putImport(t, s, newImport("t1", "i1", "p1", when))
		for _, k := range [][2]string{{"t1", "i2"}, {"t2", "i1"}} {
			if _, err := s.GetImport(t.Context(), k[0], k[1]); !errors.Is(err, roster.ErrNotFound) {
				t.Errorf("GetImport(%s, %s) = %v, want roster.ErrNotFound", k[0], k[1], err)
			}
		}
	})
	t.Run("list_newest_first_of_program_only", func(t *testing.T) {
		s := newStore(t)
		// Written out of order, and IDs ordered against CreatedAt.
		putImport(t, s, newImport("t1", "b", "p1", when.Add(2*time.Hour)))
		putImport(t, s, newImport("t1", "c", "p1", when))
		putImport(t, s, newImport("t1", "a", "p1", when.Add(3*time.Hour)))
		putImport(t, s, newImport("t1", "d", "p1", when.Add(time.Hour)))
		putImport(t, s, newImport("t1", "e", "p2", when.Add(4*time.Hour)))
		putImport(t, s, newImport("t2", "f", "p1", when.Add(5*time.Hour)))
		// An update keeps its place: order is by CreatedAt.
		upd, err := s.GetImport(t.Context(), "t1", "c")
		if err != nil {
			t.Fatalf("GetImport(t1, c) = %v", err)
		}
		upd.UpdatedAt = when.Add(10 * time.Hour)
		upd = putImport(t, s, upd)

		got, err := s.ListImports(t.Context(), "t1", "p1")
		if err != nil {
			t.Fatalf("ListImports(t1, p1) = %v", err)
		}
		var ids []string
		for _, im := range got {
			ids = append(ids, im.ID)
			if im.ID == "c" {
				if d := cmp.Diff(upd, im, opts); d != "" {
					t.Errorf("ListImports import c (-want +got):\n%s", d)
				}
			}
		}
		if d := cmp.Diff([]string{"a", "b", "d", "c"}, ids); d != "" {
			t.Errorf("ListImports(t1, p1) IDs (-want +got):\n%s", d)
		}
	})
	t.Run("list_empty", func(t *testing.T) {
		s := newStore(t)
		putImport(t, s, newImport("t1", "i1", "p1", when))
		got, err := s.ListImports(t.Context(), "t1", "p2")
		if err != nil || len(got) != 0 {
			t.Fatalf("ListImports(t1, p2) = %d imports, %v; want none", len(got), err)
		}
	})
	t.Run("tenants_isolated", func(t *testing.T) {
		s := newStore(t)
		a := newImport("t1", "i1", "p1", when)
		a.FileName = "one.csv"
		b := newImport("t2", "i1", "p1", when)
		b.FileName = "two.csv"
		a = putImport(t, s, a) // same ID in another tenant is a create, not a conflict
		b = putImport(t, s, b)
		b.Status = roster.ImportParsed
		b = putImport(t, s, b)
		wantImport(t, s, a)
		wantImport(t, s, b)
		for tenant, want := range map[string]string{"t1": "one.csv", "t2": "two.csv"} {
			got, err := s.ListImports(t.Context(), tenant, "p1")
			if err != nil || len(got) != 1 || got[0].FileName != want {
				t.Errorf("ListImports(%s, p1) = %+v, %v; want only %s", tenant, got, err, want)
			}
		}
	})
}
