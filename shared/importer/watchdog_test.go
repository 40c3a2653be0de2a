package importer_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// countingMailer counts every Send, so that a second email with the same
// key (which an outbox would keep once) is seen; fail makes Send fail.
type countingMailer struct {
	mu   sync.Mutex
	sent []importer.Message
	fail bool
}

func (m *countingMailer) Send(_ context.Context, msg importer.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("mail server down")
	}
	m.sent = append(m.sent, msg)
	return nil
}

func (m *countingMailer) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for _, s := range m.sent {
		ks = append(ks, s.Key)
	}
	return ks
}

var created = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func newSyncService(t *testing.T, b backend) (*importer.Service, *countingMailer) {
	t.Helper()
	dir := t.TempDir()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	m := &countingMailer{}
	svc := importer.New(importer.Config{Store: b.open(t, dir), Blobs: blobs, Mailer: m, Workflow: manualFlow{}, TmpDir: dir,
		Clock: func() time.Time { return created }})
	if err := svc.PutProgram(t.Context(), program); err != nil {
		t.Fatal(err)
	}
	return svc, m
}

func dailyIntegration(id string) roster.Integration {
	return roster.Integration{
		ID: id, Program: "p1", Role: "student", Mapping: map[string]string{"Email": "email"},
		Contacts: []string{"it@example.com"},
		Schedule: &roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "UTC", GraceHours: 6},
	}.WithDefaults()
}

func TestPutIntegration(t *testing.T) {
	svc, _ := newSyncService(t, boltBackend)
	ctx := t.Context()
	got, err := svc.PutIntegration(ctx, tenant, dailyIntegration("hr"))
	if err != nil {
		t.Fatalf("PutIntegration = %v", err)
	}
	if got.Tenant != tenant || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(created) || got.Live {
		t.Errorf("PutIntegration = tenant %q, created %v, updated %v, live %v; want %s, %v, %v, test mode (I7)",
			got.Tenant, got.CreatedAt, got.UpdatedAt, got.Live, tenant, created, created)
	}
	bad := dailyIntegration("hr2")
	bad.Role = "teacher"
	if _, err := svc.PutIntegration(ctx, tenant, bad); !errors.Is(err, roster.ErrInvalid) || !strings.Contains(err.Error(), `no role "teacher"`) {
		t.Errorf("PutIntegration with a role the program lacks = %v, want ErrInvalid naming the role", err)
	}
	bad = dailyIntegration("hr3")
	bad.Program = "nope"
	if _, err := svc.PutIntegration(ctx, tenant, bad); !errors.Is(err, roster.ErrInvalid) || !strings.Contains(err.Error(), "program nope does not exist") {
		t.Errorf("PutIntegration of an unknown program = %v, want ErrInvalid naming it", err)
	}
	other := dailyIntegration("hr4")
	other.Tenant = "t2"
	if _, err := svc.PutIntegration(ctx, tenant, other); !errors.Is(err, roster.ErrInvalid) {
		t.Errorf("PutIntegration with another tenant = %v, want ErrInvalid (X1)", err)
	}
	live, err := svc.SetLive(ctx, tenant, "hr", true)
	if err != nil || !live.Live {
		t.Fatalf("SetLive(hr, true) = %v, %v; want live", live.Live, err)
	}
	if _, err := svc.SetLive(ctx, tenant, "missing", true); !errors.Is(err, roster.ErrNotFound) {
		t.Errorf("SetLive(missing) = %v, want ErrNotFound", err)
	}
	ins, err := svc.ListIntegrations(ctx, tenant)
	if err != nil || len(ins) != 1 || ins[0].ID != "hr" || !ins[0].Live {
		t.Fatalf("ListIntegrations = %+v, %v; want hr, live", ins, err)
	}
	if err := svc.DeleteIntegration(ctx, tenant, "hr"); err != nil {
		t.Fatalf("DeleteIntegration = %v", err)
	}
	if err := svc.DeleteIntegration(ctx, tenant, "hr"); !errors.Is(err, roster.ErrNotFound) {
		t.Errorf("DeleteIntegration twice = %v, want ErrNotFound", err)
	}
}

// TestWatchdogOncePerWindow runs watchdogs at once, again, and in a later
// window: each missed window is emailed once (I6).
func TestWatchdogOncePerWindow(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, b backend) {
		svc, mail := newSyncService(t, b)
		ctx := t.Context()
		for _, in := range []roster.Integration{dailyIntegration("hr"), dailyIntegration("payroll")} {
			if _, err := svc.PutIntegration(ctx, tenant, in); err != nil {
				t.Fatal(err)
			}
		}
		unwatched := dailyIntegration("adhoc")
		unwatched.Schedule = nil
		if _, err := svc.PutIntegration(ctx, tenant, unwatched); err != nil {
			t.Fatal(err)
		}
		// Created 30 Nov 08:00: the 1 Dec 06:00 file is overdue at 12:00.
		if n, err := svc.Watchdog(ctx, time.Date(2026, 12, 1, 11, 59, 0, 0, time.UTC)); err != nil || len(n) != 0 {
			t.Fatalf("Watchdog within the grace period = %v, %v; want nothing told", n, err)
		}
		now := time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if _, err := svc.Watchdog(ctx, now); err != nil {
					t.Errorf("Watchdog = %v", err)
				}
			})
		}
		wg.Wait()
		want := []string{"watchdog/t1/hr/2026-12-01", "watchdog/t1/payroll/2026-12-01"}
		if got := mail.keys(); !sameSet(got, want) {
			t.Fatalf("emails after 6 watchdogs at once = %v, want %v, each once", got, want)
		}
		if n, err := svc.Watchdog(ctx, now.Add(time.Hour)); err != nil || len(n) != 0 {
			t.Fatalf("Watchdog again in the same window = %v, %v; want nothing told", n, err)
		}
		n, err := svc.Watchdog(ctx, now.Add(24*time.Hour))
		if err != nil || len(n) != 2 || n[0].Integration != "hr" || n[0].Window != "2026-12-02" {
			t.Fatalf("Watchdog a day later = %+v, %v; want hr and payroll for 2026-12-02", n, err)
		}
		if got := len(mail.keys()); got != 4 {
			t.Errorf("emails after the next window = %d, want 4", got)
		}
	})
}

// TestWatchdogRetriesAfterMailFailure: a window whose email failed is told
// by the next run, not lost.
func TestWatchdogRetriesAfterMailFailure(t *testing.T) {
	svc, mail := newSyncService(t, boltBackend)
	ctx := t.Context()
	if _, err := svc.PutIntegration(ctx, tenant, dailyIntegration("hr")); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	mail.fail = true
	if _, err := svc.Watchdog(ctx, now); err == nil || !strings.Contains(err.Error(), "integration t1/hr") {
		t.Fatalf("Watchdog with mail down = %v, want an error naming the integration", err)
	}
	mail.fail = false
	n, err := svc.Watchdog(ctx, now)
	if err != nil || len(n) != 1 || len(mail.keys()) != 1 {
		t.Fatalf("Watchdog after mail is back = %+v, %v, %d emails; want the window told once", n, err, len(mail.keys()))
	}
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		if seen[w] != 1 {
			return false
		}
	}
	return true
}
