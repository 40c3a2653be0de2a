package importer_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// sentTo counts the emails sent to addr.
func (m *countingMailer) sentTo(addr string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, s := range m.sent {
		if slices.Contains(s.To, addr) {
			n++
		}
	}
	return n
}

// TestArriveStored: a file already under its inbound key (an S3 event) is
// processed in place, as Arrive processes a pushed one (I2, I7).
func TestArriveStored(t *testing.T) {
	svc, mail := newSyncService(t, boltBackend)
	ctx := t.Context()
	if _, err := svc.PutIntegration(ctx, tenant, dailyIntegration("hr")); err != nil {
		t.Fatal(err)
	}
	body := "Email\nann@example.com\nbob@example.com\n"
	res, err := svc.Arrive(ctx, tenant, "hr", "hr.csv", strings.NewReader(body), int64(len(body)))
	if err != nil || res.Status != roster.SyncTested || res.Counts.Created != 2 {
		t.Fatalf("Arrive in test mode = %+v, %v; want tested with 2 would-be created (I7)", res, err)
	}
	// The same file, now found in place: tested again (test mode keeps no claim).
	res, err = svc.ArriveStored(ctx, tenant, "hr", "hr.csv", int64(len(body)))
	if err != nil || res.Status != roster.SyncTested || res.Counts.Created != 2 {
		t.Fatalf("ArriveStored = %+v, %v; want tested with 2 would-be created", res, err)
	}
	if res, err := svc.ArriveStored(ctx, tenant, "nope", "hr.csv", 10); err != nil || res.Status != roster.SyncIgnored {
		t.Errorf("ArriveStored for an unknown integration = %+v, %v; want ignored", res, err)
	}
	if _, err := svc.ArriveStored(ctx, tenant, "hr", "gone.csv", 10); err == nil {
		t.Error("ArriveStored of a key that holds nothing: want an error")
	}
	if n := len(mail.keys()); n != 2 {
		t.Errorf("%d emails, want 2 test-run emails", n)
	}
}

// runSteps drives a started run as Step Functions would: prepare, every
// batch, finalize.
func runSteps(t *testing.T, svc *importer.Service, id string) roster.Import {
	t.Helper()
	ctx := t.Context()
	man, err := svc.Prepare(ctx, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	for n := range man.Batches {
		if _, err := svc.ApplyBatch(ctx, tenant, id, n+1); err != nil {
			t.Fatal(err)
		}
	}
	im, err := svc.Finalize(ctx, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestArriveStoredLive: in AWS a live file's run is started and not waited
// for; the run's end (Finalize) does what a sync does after the rows are
// applied: off-boarding and the valve (I4, I5), the file remembered (I2),
// the contacts' email.
func TestArriveStoredLive(t *testing.T) {
	dir := t.TempDir()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	mail := &countingMailer{}
	svc := importer.New(importer.Config{Store: boltBackend.open(t, dir), Blobs: blobs, Mailer: mail, Workflow: manualFlow{}, TmpDir: dir,
		Clock: func() time.Time { return created }})
	ctx := t.Context()
	if err := svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	in := dailyIntegration("hr")
	in.Mode, in.DeactivateMissing = roster.ModeFull, true
	if _, err := svc.PutIntegration(ctx, tenant, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLive(ctx, tenant, "hr", true); err != nil {
		t.Fatal(err)
	}
	arrive := func(name, body string) roster.SyncResult {
		t.Helper()
		if err := blobs.Put(ctx, roster.InboundKey(tenant, "hr", name), strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		res, err := svc.ArriveStored(ctx, tenant, "hr", name, int64(len(body)))
		if err != nil || res.Status != roster.SyncStarted || res.ImportID == "" {
			t.Fatalf("ArriveStored(%s) = %+v, %v; want started with its import", name, res, err)
		}
		return res
	}

	res := arrive("hr-1.csv", "Email\nann@example.com\nbob@example.com\n")
	if n := len(mail.keys()); n != 0 {
		t.Fatalf("%d emails before the run ended, want none", n)
	}
	if im := runSteps(t, svc, res.ImportID); im.Status != roster.ImportCompleted || im.Counts.Created != 2 {
		t.Fatalf("run = %s %+v, want completed with 2 created", im.Status, im.Counts)
	}
	if sent := mail.sentTo("it@example.com"); sent != 1 {
		t.Fatalf("%d contact emails after the run, want 1", sent)
	}
	// Finalize retried: the sync's end is done once.
	if _, err := svc.Finalize(ctx, tenant, res.ImportID); err != nil {
		t.Fatal(err)
	}
	if sent := mail.sentTo("it@example.com"); sent != 1 {
		t.Errorf("%d contact emails after a retried finalize, want 1", sent)
	}

	// The next day's file drops bob, half of the role: the run's end holds
	// his suspension (I5), which an admin approves.
	res = arrive("hr-2.csv", "Email\nann@example.com\n")
	runSteps(t, svc, res.ImportID)
	if got, err := svc.ApproveHeld(ctx, tenant, res.ImportID); err != nil || got.Counts.Suspended != 1 {
		t.Fatalf("ApproveHeld = %+v, %v; want 1 suspended (I5)", got, err)
	}
	views, err := svc.ListParticipants(ctx, tenant, "p1", "student")
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]roster.Status{}
	for _, v := range views {
		status[v.Email] = v.Status
	}
	if status["bob@example.com"] != roster.StatusSuspended || status["ann@example.com"] == roster.StatusSuspended {
		t.Errorf("statuses after the second file = %v, want bob suspended and ann not (I4, I5)", status)
	}
	// The first file, sent again: the applied file was remembered (I2).
	if res, err := svc.ArriveStored(ctx, tenant, "hr", "hr-1.csv", 10); err != nil || res.Status != roster.SyncDuplicate && res.Status != roster.SyncStale {
		t.Errorf("an earlier file again = %+v, %v; want duplicate or stale", res, err)
	}
	// A run that fails (Step Functions' Catch calls Fail) forgets the
	// file's claim: the same bytes sent again are read again (I2).
	res = arrive("hr-3.csv", "Email\nann@example.com\ncal@example.com\n")
	if err := svc.Fail(ctx, tenant, res.ImportID, errors.New("apply timed out")); err == nil {
		t.Fatal("Fail returned nil, want its cause")
	}
	arrive("hr-3.csv", "Email\nann@example.com\ncal@example.com\n")
}
