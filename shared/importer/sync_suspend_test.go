package importer_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
)

// suspendEnv is a live integration "hr" into program p1's students whose
// files carry a status column mapped by statusValues (I4), over one
// store, with an outbox that sends each message key once, as the real
// mailers do.
type suspendEnv struct {
	svc    *importer.Service
	blobs  *fsblob.Blobs
	store  *failingStore
	outbox *outbox.Outbox
	day    int
}

const hrContact = "it@example.com"

func newSuspendEnv(t *testing.T, b backend, configure func(*roster.Integration)) *suspendEnv {
	t.Helper()
	dir := t.TempDir()
	blobs, ob := localfiles.Open(t, dir)
	st := b.open(t, dir)
	fs := &failingStore{Store: st}
	svc := importer.New(importer.Config{Store: withGenerations(fs, st), Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, TmpDir: dir, BatchSize: 10,
		PageURL: "https://roster.example/", Clock: func() time.Time { return created }})
	ctx := t.Context()
	if err := svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	in := dailyIntegration("hr")
	in.Mapping = map[string]string{"Email": "email", "Status": "status"}
	in.StatusValues = map[string]roster.Status{"Terminated": roster.StatusSuspended, "Employed": roster.StatusActive}
	in.Mode = roster.ModeDelta
	in.Valve = roster.Valve{MaxShare: roster.DefaultValveMaxShare, MaxCount: roster.DefaultValveMaxCount}
	if configure != nil {
		configure(&in)
	}
	if _, err := svc.PutIntegration(ctx, tenant, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLive(ctx, tenant, "hr", true); err != nil {
		t.Fatal(err)
	}
	return &suspendEnv{svc: svc, blobs: blobs, store: fs, outbox: ob}
}

func person(i int) string { return fmt.Sprintf("p%02d@example.com", i) }

// file lists people from..to-1, with "Terminated" for those in terminated.
func file(from, to int, terminated ...int) string {
	var b strings.Builder
	b.WriteString("Email,Status\n")
	for i := from; i < to; i++ {
		st := "Employed"
		if slices.Contains(terminated, i) {
			st = "Terminated"
		}
		fmt.Fprintf(&b, "%s,%s\n", person(i), st)
	}
	return b.String()
}

func upTo(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// push stores the next day's file under the inbound prefix and processes
// it as an S3 event does; a live file's run is then driven step by step.
func (e *suspendEnv) push(t *testing.T, body string) roster.SyncResult {
	t.Helper()
	e.day++
	name := fmt.Sprintf("hr_2026-12-%02d.csv", e.day)
	ctx := t.Context()
	if err := e.blobs.Put(ctx, roster.InboundKey(tenant, "hr", name), strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.ArriveStored(ctx, tenant, "hr", name, int64(len(body)))
	if err != nil {
		t.Fatalf("ArriveStored(%s) = %v", name, err)
	}
	return res
}

// run pushes a live file and runs it to its end.
func (e *suspendEnv) run(t *testing.T, body string) roster.SyncResult {
	t.Helper()
	res := e.push(t, body)
	if res.Status != roster.SyncStarted {
		t.Fatalf("a live file = %+v, want started", res)
	}
	runSteps(t, e.svc, res.ImportID)
	return e.result(t, res.ImportID)
}

func (e *suspendEnv) result(t *testing.T, id string) roster.SyncResult {
	t.Helper()
	im, err := e.svc.GetImport(t.Context(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	run, ok, err := e.svc.SyncRunOf(t.Context(), im)
	if err != nil || !ok {
		t.Fatalf("SyncRunOf(%s) = %v, %v", id, ok, err)
	}
	return roster.SyncResult{ImportID: id, Status: run.Status, Counts: run.Counts}
}

// hire creates people 0..n-1 and has each create their account: n active.
func (e *suspendEnv) hire(t *testing.T, n int) {
	t.Helper()
	if res := e.run(t, file(0, n)); res.Status != roster.SyncCompleted || res.Counts.Created != n {
		t.Fatalf("hiring file = %+v, want %d created", res, n)
	}
	for i := range n {
		if err := e.svc.Activate(t.Context(), tenant, "p1", person(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// statuses counts the students by status.
func (e *suspendEnv) statuses(t *testing.T) map[roster.Status]int {
	t.Helper()
	views, err := e.svc.ListParticipants(t.Context(), tenant, "p1", "student")
	if err != nil {
		t.Fatal(err)
	}
	got := map[roster.Status]int{}
	for _, v := range views {
		got[v.Status]++
	}
	return got
}

// mails are the messages the outbox delivered whose subject holds s.
func (e *suspendEnv) mails(t *testing.T, s string) []outbox.Sent {
	t.Helper()
	sent, err := e.outbox.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []outbox.Sent
	for _, m := range sent {
		if strings.Contains(m.Subject, s) {
			got = append(got, m)
		}
	}
	return got
}

func wantStatuses(t *testing.T, e *suspendEnv, active, suspended int) {
	t.Helper()
	got := e.statuses(t)
	if got[roster.StatusActive] != active || got[roster.StatusSuspended] != suspended {
		t.Errorf("students by status = %v, want %d active and %d suspended", got, active, suspended)
	}
}

// I4, I5: "Terminated" for 3 of 50 active people suspends them, within
// the valve, and the file's counts say so.
func TestStatusValueSuspensionsCounted(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, b backend) {
		e := newSuspendEnv(t, b, nil)
		e.hire(t, 50)
		res := e.run(t, file(0, 50, 7, 21, 42))
		if res.Status != roster.SyncCompleted || res.Counts.Suspended != 3 || res.Counts.Held != 0 {
			t.Errorf("file with 3 Terminated = %s %+v, want completed with suspended 3 (I4)", res.Status, res.Counts)
		}
		if res.Counts.Unchanged != 50 || res.Counts.Updated != 0 {
			t.Errorf("row counts = %+v, want 50 unchanged: the suspensions are counted as suspended, not as updates", res.Counts.Counts)
		}
		wantStatuses(t, e, 47, 3)
		if got := e.mails(t, ": applied"); len(got) != 2 || !strings.Contains(got[1].Text, "Suspended: 3") {
			t.Errorf("applied emails = %d, want the second one to say Suspended: 3", len(got))
		}
		// A6 re-hire: a suspended person listed Employed again is reactivated.
		res = e.run(t, file(0, 50, 21, 42))
		if res.Status != roster.SyncCompleted || res.Counts.Suspended != 0 || res.Counts.Updated != 1 {
			t.Errorf("next file re-hiring one = %s %+v, want 1 updated and nobody suspended", res.Status, res.Counts)
		}
		wantStatuses(t, e, 48, 2)
	})
}

// I5: status values that would suspend 30 of 50 trip the valve: the rows
// are applied, the suspensions held and listed; approve suspends them,
// reject leaves them active.
func TestStatusValueSuspensionsHeld(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, b backend) {
		for _, approve := range []bool{true, false} {
			t.Run(fmt.Sprintf("approve=%v", approve), func(t *testing.T) {
				e := newSuspendEnv(t, b, nil)
				e.hire(t, 50)
				res := e.run(t, file(0, 50, upTo(30)...))
				if res.Status != roster.SyncHeld || res.Counts.Held != 30 || res.Counts.Suspended != 0 {
					t.Fatalf("file with 30 Terminated = %s %+v, want held 30 (I5)", res.Status, res.Counts)
				}
				wantStatuses(t, e, 50, 0)
				ctx := t.Context()
				settle := e.svc.RejectHeld
				if approve {
					settle = e.svc.ApproveHeld
				}
				got, err := settle(ctx, tenant, res.ImportID)
				if err != nil {
					t.Fatal(err)
				}
				if approve {
					if got.Status != roster.SyncCompleted || got.Counts.Suspended != 30 || got.Counts.Held != 0 {
						t.Errorf("ApproveHeld = %s %+v, want completed with 30 suspended", got.Status, got.Counts)
					}
					wantStatuses(t, e, 20, 30)
				} else {
					if got.Status != roster.SyncCompleted || got.Counts.Suspended != 0 || got.Counts.Held != 0 {
						t.Errorf("RejectHeld = %s %+v, want completed with nobody suspended", got.Status, got.Counts)
					}
					wantStatuses(t, e, 50, 0)
				}
				if _, err := e.svc.ApproveHeld(ctx, tenant, res.ImportID); !errors.Is(err, roster.ErrConflict) {
					t.Errorf("settling twice = %v, want ErrConflict", err)
				}
			})
		}
	})
}

// I5: an approval that fails part-way is finished by approving again, and
// reports every held suspension once, not only those of the last try; it
// can no longer be rejected once under way.
func TestApproveHeldRetriedAfterFailure(t *testing.T) {
	e := newSuspendEnv(t, boltBackend, nil)
	e.hire(t, 50)
	res := e.run(t, file(0, 50, upTo(30)...))
	if res.Status != roster.SyncHeld || res.Counts.Held != 30 {
		t.Fatalf("file with 30 Terminated = %s %+v, want held 30", res.Status, res.Counts)
	}
	ctx := t.Context()
	e.store.failAfter = e.store.saves.Load() + 12 // 12 suspended, then the store fails
	if _, err := e.svc.ApproveHeld(ctx, tenant, res.ImportID); !errors.Is(err, errInjected) {
		t.Fatalf("ApproveHeld with a failing store = %v, want the injected failure", err)
	}
	wantStatuses(t, e, 38, 12)
	e.store.failAfter = 0
	if _, err := e.svc.RejectHeld(ctx, tenant, res.ImportID); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("RejectHeld during an approval = %v, want ErrConflict", err)
	}
	got, err := e.svc.ApproveHeld(ctx, tenant, res.ImportID)
	if err != nil || got.Status != roster.SyncCompleted || got.Counts.Suspended != 30 || got.Counts.Held != 0 {
		t.Fatalf("ApproveHeld again = %s %+v, %v; want completed with 30 suspended", got.Status, got.Counts, err)
	}
	wantStatuses(t, e, 20, 30)
}

// I4, I5: with off-boarding, the people a file leaves out and those it
// marks Terminated are one count for the valve, each person once (a person
// listed twice as Terminated too: the second row is rejected). Absent and Terminated cannot both be
// said of one person: a person the file lists is present.
func TestOffboardingAndStatusValuesOneValve(t *testing.T) {
	full := func(in *roster.Integration) { in.Mode, in.DeactivateMissing = roster.ModeFull, true }
	onEveryBackend(t, func(t *testing.T, b backend) {
		e := newSuspendEnv(t, b, full)
		e.hire(t, 50)
		// 47..49 absent; 3 and 5 Terminated, 5 listed twice: 5 suspensions,
		// within the valve (more than 10 people is needed to hold).
		body := file(0, 47, 3, 5) + person(5) + ",Terminated\n"
		res := e.run(t, body)
		if res.Status != roster.SyncCompleted || res.Counts.Suspended != 5 || res.Counts.Rejected != 1 {
			t.Errorf("3 absent + 2 Terminated = %s %+v, want completed with 5 suspended", res.Status, res.Counts)
		}
		wantStatuses(t, e, 45, 5)

		// 8 absent and 6 newly Terminated (3 and 5 still are): 14 of the 45
		// not suspended, over 20% and over 10, though neither part alone
		// is over 10.
		res = e.run(t, file(0, 39, 3, 5, 10, 11, 12, 13, 14, 15))
		if res.Status != roster.SyncHeld || res.Counts.Held != 14 || res.Counts.Suspended != 0 {
			t.Fatalf("8 absent + 6 Terminated = %s %+v, want held 14 (one valve over both)", res.Status, res.Counts)
		}
		wantStatuses(t, e, 45, 5)
		if got, err := e.svc.ApproveHeld(t.Context(), tenant, res.ImportID); err != nil || got.Counts.Suspended != 14 {
			t.Fatalf("ApproveHeld = %+v, %v; want 14 suspended", got, err)
		}
		wantStatuses(t, e, 31, 19)
	})
}

// I7: in test mode, status-value suspensions are would-be suspensions,
// under the same valve, and nothing is written.
func TestStatusValueSuspensionsTestMode(t *testing.T) {
	e := newSuspendEnv(t, boltBackend, nil)
	e.hire(t, 50)
	if _, err := e.svc.SetLive(t.Context(), tenant, "hr", false); err != nil {
		t.Fatal(err)
	}
	res := e.push(t, file(0, 50, 1, 2, 3))
	if res.Status != roster.SyncTested || res.Counts.Suspended != 3 || res.Counts.Held != 0 {
		t.Errorf("test run with 3 Terminated = %s %+v, want tested with 3 would-be suspended", res.Status, res.Counts)
	}
	res = e.push(t, file(0, 50, upTo(30)...))
	if res.Status != roster.SyncTested || res.Counts.Held != 30 || res.Counts.Suspended != 0 {
		t.Errorf("test run with 30 Terminated = %s %+v, want tested with 30 would-be held", res.Status, res.Counts)
	}
	wantStatuses(t, e, 50, 0)
	if got := e.mails(t, "test run"); len(got) != 2 || !strings.Contains(got[0].Text, "Suspended: 3") {
		t.Errorf("test-run emails = %+v, want 2, the first with Suspended: 3", got)
	}
}

// I5: the held email goes to the contacts and the program's admins: the
// program's list, else the admins who started its recent imports. It
// names the count and the file and says how to approve or reject.
func TestHeldEmailRecipients(t *testing.T) {
	for _, tc := range []struct {
		name   string
		admins []string
		want   []string
	}{
		{"listed_admins", []string{"lea@example.com", hrContact}, []string{hrContact, "lea@example.com"}},
		{"recent_importers", nil, []string{hrContact, "max@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newSuspendEnv(t, boltBackend, nil)
			ctx := t.Context()
			p := program
			p.Admins = tc.admins
			if err := e.svc.PutProgram(ctx, p); err != nil {
				t.Fatal(err)
			}
			// A page import started by max: who the fallback finds.
			if _, err := e.svc.CreateImport(ctx, tenant, "p1", "manual.csv", "max@example.com", roster.ImportSettings{Role: "student"}); err != nil {
				t.Fatal(err)
			}
			e.hire(t, 20)
			res := e.run(t, file(0, 20, upTo(12)...))
			if res.Status != roster.SyncHeld {
				t.Fatalf("file = %s, want held", res.Status)
			}
			held := e.mails(t, "12 suspensions held")
			if len(held) != 1 {
				t.Fatalf("%d held emails, want 1", len(held))
			}
			if !slices.Equal(held[0].To, tc.want) {
				t.Errorf("held email To = %v, want %v", held[0].To, tc.want)
			}
			for _, s := range []string{"hr_2026-12-02.csv", "suspend 12 of the 20 student participants", "https://roster.example/",
				"roster sync approve --data DIR --import " + res.ImportID, "roster sync reject --data DIR --import " + res.ImportID} {
				if !strings.Contains(held[0].Subject+held[0].Text, s) {
					t.Errorf("held email does not say %q:\n%s", s, held[0].Text)
				}
			}
		})
	}
	bad := program
	bad.Admins = []string{"not-an-email"}
	e := newSuspendEnv(t, boltBackend, nil)
	if err := e.svc.PutProgram(t.Context(), bad); !errors.Is(err, roster.ErrInvalid) {
		t.Errorf("PutProgram with a bad admin email = %v, want ErrInvalid", err)
	}
}

// A12, I2: a sync run that fails emails the contacts in words, once, even
// when the failure is reported twice.
func TestSyncFailureEmail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, b backend) {
		e := newSuspendEnv(t, b, nil)
		ctx := t.Context()
		res := e.push(t, file(0, 25))
		if _, err := e.svc.Prepare(ctx, tenant, res.ImportID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ApplyBatch(ctx, tenant, res.ImportID, 1); err != nil {
			t.Fatal(err)
		}
		cause := errors.New("apply batch 2: the store timed out")
		for range 2 { // Step Functions' Catch, then a retried one
			if err := e.svc.Fail(ctx, tenant, res.ImportID, cause); !errors.Is(err, cause) {
				t.Fatalf("Fail = %v, want its cause", err)
			}
		}
		failed := e.mails(t, ": failed")
		if len(failed) != 1 {
			t.Fatalf("%d failure emails, want 1", len(failed))
		}
		m := failed[0]
		if !slices.Equal(m.To, []string{hrContact}) {
			t.Errorf("failure email To = %v, want the contacts", m.To)
		}
		for _, s := range []string{"hr_2026-12-01.csv", "from integration hr", "the store timed out", "1 of 3 batches", "created 10", "Nobody was suspended", "Send the file again"} {
			if !strings.Contains(m.Subject+m.Text, s) {
				t.Errorf("failure email does not say %q:\n%s", s, m.Text)
			}
		}
		// The same bytes, sent again, are read again and applied.
		if got := e.run(t, file(0, 25)); got.Status != roster.SyncCompleted || got.Counts.Created != 15 || got.Counts.Unchanged != 10 {
			t.Errorf("the file sent again = %s %+v, want completed: 15 created, 10 unchanged", got.Status, got.Counts)
		}
	})
}

// A11, I5: a finalize that stops part-way through the suspensions and is
// retried suspends each person once and reports the same counts.
func TestSuspensionsRetriedFinalize(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, b backend) {
		e := newSuspendEnv(t, b, nil)
		e.hire(t, 50)
		ctx := t.Context()
		res := e.push(t, file(0, 50, 4, 8, 15, 16, 23))
		man, err := e.svc.Prepare(ctx, tenant, res.ImportID)
		if err != nil {
			t.Fatal(err)
		}
		var first importer.BatchResult
		for n := range man.Batches {
			br, err := e.svc.ApplyBatch(ctx, tenant, res.ImportID, n+1)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				first = br
			}
		}
		if len(first.Suspend) != 2 {
			t.Fatalf("batch 1 holds back %v, want the 2 Terminated of its rows", first.Suspend)
		}
		// The store fails after 2 of the 5 suspensions.
		e.store.failAfter = e.store.saves.Load() + 2
		if _, err := e.svc.Finalize(ctx, tenant, res.ImportID); !errors.Is(err, errInjected) {
			t.Fatalf("Finalize = %v, want the injected failure", err)
		}
		wantStatuses(t, e, 48, 2)
		e.store.failAfter = 0
		// A batch applied again reports the same held-back suspensions.
		again, err := e.svc.ApplyBatch(ctx, tenant, res.ImportID, 1)
		if err != nil || !slices.Equal(again.Suspend, first.Suspend) {
			t.Fatalf("ApplyBatch again holds back %v, %v; want %v, as the first time (A11)", again.Suspend, err, first.Suspend)
		}
		for range 2 {
			if _, err := e.svc.Finalize(ctx, tenant, res.ImportID); err != nil {
				t.Fatal(err)
			}
		}
		got := e.result(t, res.ImportID)
		if got.Status != roster.SyncCompleted || got.Counts.Suspended != 5 {
			t.Errorf("after a retried finalize = %s %+v, want completed with 5 suspended, as one run", got.Status, got.Counts)
		}
		wantStatuses(t, e, 45, 5)
		if n := len(e.mails(t, ": applied")); n != 2 {
			t.Errorf("%d applied emails, want 2 (the hiring file and this one, once)", n)
		}
	})
}

// A6: a page or API import's status column suspends at once, even if its
// settings ask to hold suspensions: only a pushed file's run settles them.
func TestManualImportSuspendsAtOnce(t *testing.T) {
	e := newSuspendEnv(t, boltBackend, nil)
	e.hire(t, 3)
	ctx := t.Context()
	admin := e.svc.As(roster.Caller{Tenant: tenant, Subject: "admin", Email: "admin@example.com", Kind: roster.KindAdmin, Programs: []string{roster.AllPrograms}})
	im, err := admin.CreateImport(ctx, "p1", "people.csv", roster.ImportSettings{Role: "student", HoldSuspensions: true})
	if err != nil {
		t.Fatal(err)
	}
	if im.Settings.HoldSuspensions {
		t.Fatal("a caller's import holds suspensions: nothing would ever apply them")
	}
	body := "Email,Status\n" + person(0) + ",suspended\n"
	if _, err := e.svc.Upload(ctx, tenant, im.ID, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if im, err = e.svc.GetImport(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if done := runSteps(t, e.svc, im.ID); done.Counts.Updated != 1 {
		t.Errorf("manual import = %+v, want 1 updated (A6)", done.Counts)
	}
	wantStatuses(t, e, 2, 1)
}
