package importer_test

import (
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

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
