package lambdatest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/roster"
)

// SampleAdmin is the admin of the sample import (the email claim of the
// sample API events).
const SampleAdmin = "dana.admin@acme.example"

// SampleProgramDef is the program of the sample events.
func SampleProgramDef() roster.Program {
	return roster.Program{
		Tenant: SampleTenant, ID: SampleProgram, Name: "Mentoring 2026",
		Roles: []string{"mentee", "mentor"},
		Questions: []roster.Question{
			{Key: "department", Label: "Department", Type: roster.TypeText},
			{Key: "goals", Label: "Goals", Type: roster.TypeMulti, Options: []string{"Leadership", "Career growth", "Public speaking"}, Roles: []string{"mentee"}},
		},
	}
}

// SeedImport stores the sample program and the sample import (ID
// SampleImportID) with file as its upload, then takes it as far as
// status: CREATED (file stored), PARSED, MAPPED (the suggested plan
// confirmed) or RUNNING (started; the stack's SFN recorder gets the
// execution).
func SeedImport(t testing.TB, b *config.Backend, fileName, file string, status roster.ImportStatus) roster.Import {
	t.Helper()
	ctx := context.Background()
	svc := b.Service
	if err := svc.PutProgram(ctx, SampleProgramDef()); err != nil {
		t.Fatalf("put program: %v", err)
	}
	now := time.Now().UTC()
	im := roster.Import{
		Tenant: SampleTenant, ID: SampleImportID, ProgramID: SampleProgram, FileName: fileName,
		FileKey:  "uploads/" + SampleTenant + "/" + SampleProgram + "/" + SampleImportID + "/file",
		Settings: roster.ImportSettings{Role: "mentee"}.WithDefaults(), Status: roster.ImportCreated,
		Admin: SampleAdmin, CreatedAt: now, UpdatedAt: now,
	}
	im, err := b.Store.PutImport(ctx, im)
	if err != nil {
		t.Fatalf("put import: %v", err)
	}
	if err := b.Blobs.Put(ctx, im.FileKey, strings.NewReader(file)); err != nil {
		t.Fatalf("put file: %v", err)
	}
	steps := []struct {
		status roster.ImportStatus
		run    func() error
	}{
		{roster.ImportParsed, func() error { _, err := svc.Parse(ctx, im.Tenant, im.ID); return err }},
		{roster.ImportMapped, func() error {
			got, err := svc.GetImport(ctx, im.Tenant, im.ID)
			if err == nil {
				_, err = svc.SetPlans(ctx, im.Tenant, im.ID, got.Sheets)
			}
			return err
		}},
		{roster.ImportRunning, func() error { _, err := svc.Start(ctx, im.Tenant, im.ID); return err }},
	}
	for _, s := range steps {
		if status == roster.ImportCreated {
			break
		}
		if err := s.run(); err != nil {
			t.Fatalf("seed import up to %s: %v", s.status, err)
		}
		if s.status == status {
			break
		}
	}
	im, err = svc.GetImport(ctx, im.Tenant, im.ID)
	if err != nil {
		t.Fatalf("get import: %v", err)
	}
	if im.Status != status {
		t.Fatalf("seeded import status = %s, want %s (error %q)", im.Status, status, im.Error)
	}
	return im
}

// MenteesCSV is a sample upload of n mentees (n ≥ 1), with a header row.
func MenteesCSV(n int) string {
	var b strings.Builder
	b.WriteString("Email,User ID,Department,Goals\n")
	goals := []string{"Leadership", "Career growth", "Public speaking"}
	for i := 1; i <= n; i++ {
		b.WriteString("mentee" + strconv.Itoa(i) + "@acme.example,E" + strconv.Itoa(1000+i) + ",Dept " + strconv.Itoa(i%4) + "," + goals[i%3] + "\n")
	}
	return b.String()
}
