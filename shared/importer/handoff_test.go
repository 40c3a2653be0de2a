package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// TestHandoffRowsAreTheFilesRows: the rows prepare hands to a batch's apply
// in the same process are exactly those the batch file reads back, for
// every kind of answer, empty cells, links and row warnings, so applying
// from either gives the same data and report (A11).
func TestHandoffRowsAreTheFilesRows(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 2)
	prog := roster.Program{Tenant: tenant, ID: "hp", Name: "Handoff", Roles: []string{"mentee", "mentor"},
		Questions: []roster.Question{
			{Key: "name", Label: "Name", Type: roster.TypeText},
			{Key: "age", Label: "Age", Type: roster.TypeNumber},
			{Key: "joined", Label: "Joined", Type: roster.TypeDate},
			{Key: "remote", Label: "Remote", Type: roster.TypeBoolean},
			{Key: "level", Label: "Level", Type: roster.TypeSingle, Options: []string{"Junior", "Senior"}},
			{Key: "skills", Label: "Skills", Type: roster.TypeMulti, Options: []string{"Go", "Design", "Ops"}},
			{Key: "backup", Label: "Backup", Type: roster.TypeEmail},
		}}
	if err := e.svc.PutProgram(ctx, prog); err != nil {
		t.Fatal(err)
	}
	csv := strings.Join([]string{
		"Email,User ID,Status,Name,Age,Joined,Remote,Level,Skills,Backup,Mentor,Notes",
		"Ann@Example.com,E-1,Active,Ann,007,2024-01-02,yes,senior,\"go, ops, Go\",ANN2@example.com,bob@example.com,x",
		"cy@example.com,E-2,,,,,,,,,,",
		"dee@example.com,E-3,suspended, Dee ,12.50%,03/04/2024,0,Junior,Design,,\"not an email, eve@example.com\",y",
		"fay@example.com,E-4,,Fay,1e2,45000,TRUE,,,,,",
		"gus@example.com,E-5,,Gus,not a number,,,,,,,", // rejected: not in a batch
	}, "\n") + "\n"
	im, err := e.svc.CreateImport(ctx, tenant, "hp", "people.csv", "admin@example.com", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Upload(ctx, tenant, im.ID, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	if im, err = e.svc.GetImport(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	im.Sheets[0].Mapping = roster.Mapping{"email", "userId", "status", "field:name", "field:age", "field:joined", "field:remote",
		"field:level", "field:skills", "field:backup", "assoc:mentor", ""}
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	var batches []int
	man, err := e.svc.PrepareEach(ctx, tenant, im.ID, func(n int) {
		batches = append(batches, n)
		if diff := e.svc.HandoffMatchesFile(ctx, tenant, im.ID, n); diff != "" {
			t.Errorf("batch %d: the rows handed to apply differ from the file's (-file +handed):\n%s", n, diff)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Batches) != 2 || len(batches) != 2 || man.Rows != 4 {
		t.Fatalf("%d batches (%v told), %d rows; want 2 batches of the 4 valid rows", len(man.Batches), batches, man.Rows)
	}
	// Not applied in this run: prepare forgets them at its end, and apply
	// reads the files.
	if n := e.svc.HandedOff(tenant, im.ID); n != 0 {
		t.Fatalf("%d batches still held after prepare", n)
	}
	for n := 1; n <= len(man.Batches); n++ {
		if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHandoffTakenOnce: a batch's apply takes its handed rows, so a second
// try reads the file; an import's run that stops leaves none behind.
func TestHandoffTakenOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	im := e.startImport(t, studentsCSV(25), roster.ImportSettings{})
	var held []int
	man, err := e.svc.PrepareEach(ctx, tenant, im.ID, func(n int) {
		held = append(held, e.svc.HandedOff(tenant, im.ID))
		if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil {
			t.Errorf("apply batch %d: %v", n, err)
		}
		if got := e.svc.HandedOff(tenant, im.ID); got != 0 {
			t.Errorf("batch %d: %d batches held after its apply", n, got)
		}
		if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil { // again, from the file (A11)
			t.Errorf("apply batch %d again: %v", n, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Batches) != 3 || len(held) != 3 || held[0] != 1 {
		t.Fatalf("%d batches, held %v; want 3, each handed off", len(man.Batches), held)
	}
	if _, err := e.svc.Finalize(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (roster.Counts{Created: 25}); got.Counts != want {
		t.Fatalf("counts %+v, want %+v", got.Counts, want)
	}
}
