package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/storetest"
)

func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) importer.Store { return open(t) })
}

func TestOpenInUse(t *testing.T) {
	defer func(d time.Duration) { lockTimeout = d }(lockTimeout)
	lockTimeout = 100 * time.Millisecond
	path := filepath.Join(t.TempDir(), "roster.db")
	first, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	defer first.Close()
	second, err := Open(path)
	if err == nil {
		second.Close()
		t.Fatalf("second Open(%s) = nil error, want the file in use", path)
	}
	want := "database " + path + " is in use by another roster process"
	if err.Error() != want || !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open = %q, want %q", err, want)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "roster.db") // Open creates the folder
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	u := roster.User{Tenant: "t1", ID: "u1", Email: "ann@example.com", ExternalID: "E1"}
	p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: "u1", Role: "mentee", Profile: roster.Profile{"n": json.Number("2")}}
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err != nil {
		t.Fatalf("Save = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatalf("reopen(%s) = %v", path, err)
	}
	defer s.Close()
	us, err := s.FindUsers(ctx, "t1", importer.UserKeys{ExternalIDs: []string{"E1"}})
	if err != nil || len(us) != 1 || us[0].Version != 1 {
		t.Fatalf("FindUsers after reopen = %+v, %v; want u1 at version 1", us, err)
	}
	ps, err := s.GetParticipants(ctx, "t1", "p1", []string{"u1"})
	p.Version = 1
	if err != nil || len(ps) != 1 {
		t.Fatalf("GetParticipants after reopen = %d, %v; want 1", len(ps), err)
	}
	if d := cmp.Diff(p, ps[0]); d != "" {
		t.Fatalf("participant after reopen (-want +got):\n%s", d)
	}
}

// TestCommitterIsolatesFailures checks that a save failing with an error
// fails alone even when it shared a transaction with others.
func TestCommitterIsolatesFailures(t *testing.T) {
	s := open(t)
	bucket := []byte("test")
	if err := s.db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	const n, bad, conflicting = 64, 17, 23
	boom := errors.New("boom")
	errs := make([]error, n)
	var wg sync.WaitGroup
	// Save 0 holds the write transaction until every other save is queued,
	// so that those share the next transaction.
	queued := func() bool {
		s.saves.mu.Lock()
		defer s.saves.mu.Unlock()
		return len(s.saves.queue) == n-1
	}
	holding := make(chan struct{})
	for i := range n {
		if i == 1 {
			<-holding
		}
		wg.Go(func() {
			errs[i] = s.saves.run(func(tx *txn) (conflict, err error) {
				if i == 0 {
					close(holding)
					for !queued() {
						time.Sleep(time.Millisecond)
					}
				}
				if i == conflicting {
					return roster.ErrConflict, nil
				}
				if err := tx.Bucket(bucket).Put([]byte(fmt.Sprint(i)), []byte("x")); err != nil {
					return nil, err
				}
				if i == bad {
					return nil, boom
				}
				return nil, nil
			})
		})
	}
	wg.Wait()
	err := s.db.View(func(tx *bbolt.Tx) error {
		for i := range n {
			stored := tx.Bucket(bucket).Get([]byte(fmt.Sprint(i))) != nil
			switch i {
			case bad:
				if !errors.Is(errs[i], boom) || stored {
					t.Errorf("failing save: err %v, stored %t; want boom, not stored", errs[i], stored)
				}
			case conflicting:
				if !errors.Is(errs[i], roster.ErrConflict) || stored {
					t.Errorf("conflicting save: err %v, stored %t; want conflict, not stored", errs[i], stored)
				}
			default:
				if errs[i] != nil || !stored {
					t.Errorf("save %d: err %v, stored %t; want nil, stored", i, errs[i], stored)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSave measures creating a user and a participant per Save, as an
// import does (roster IDs, a profile of five answers, an import mark), from
// one goroutine and from many at once (group commit; an import has a few
// hundred saves waiting). Per save: ns/op, allocs/op and cpu-ns/save. It
// needs many saves to mean anything: -benchtime=20000x, not make bench's 1x.
func BenchmarkSave(b *testing.B) {
	for _, goroutines := range []int{1, 8, 32, 256} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			s := open(b)
			importID := roster.NewID("imp")
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			c0 := cpuTime()
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						id := roster.NewUserID()
						n := strconv.FormatInt(i, 10)
						u := roster.User{Tenant: "t1", ID: id, Email: "person" + n + "@example.com", ExternalID: n}
						p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: id, Role: "mentee",
							Status: roster.StatusPending, Profile: roster.Profile{"firstName": "José", "lastName": "García " + n,
								"joined": "2024-01-02", "score": json.Number("3.5"), "notes": "note " + n},
							ImportedFields: []string{"firstName", "joined", "lastName", "notes", "score"},
							LastImport:     &roster.ImportMark{ImportID: importID, Sheet: "people", Row: int(i), Action: roster.ActionCreate}}
						if err := s.Save(context.Background(), importer.Write{User: &u, Participant: &p}); err != nil {
							b.Errorf("Save(%s) = %v", id, err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/save")
		})
	}
}

// TestDropMappedKeepsData: dropping the file's pages from the resident set
// while saves and reads run changes nothing they see.
func TestDropMappedKeepsData(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				dropMapped(s.db)
			}
		}
	})
	for i := range 300 {
		id := fmt.Sprintf("u%04d", i)
		u := roster.User{Tenant: "t1", ID: id, Email: id + "@example.com"}
		p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: id, Role: "mentee", Profile: roster.Profile{"n": json.Number("1")}}
		if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err != nil {
			t.Fatalf("Save(%s) = %v", id, err)
		}
		got, err := s.GetUsers(ctx, "t1", []string{id})
		if err != nil || len(got) != 1 || got[0].Email != u.Email {
			t.Fatalf("GetUsers(%s) = %+v, %v; want the saved user", id, got, err)
		}
	}
	close(stop)
	wg.Wait()
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%04d", i)
	}
	if ps, err := s.GetParticipants(ctx, "t1", "p1", ids); err != nil || len(ps) != 300 {
		t.Errorf("GetParticipants = %d, %v; want 300", len(ps), err)
	}
}
