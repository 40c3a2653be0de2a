package importer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/bolt"
)

// BenchmarkParticipantPage reads one page of 100 participants from the
// middle of a program on the embedded store: its cost should not grow with
// the program (the whole list used to be one answer).
//
//	go test -run='^$' -bench=ParticipantPage -benchtime=20x ./shared/importer
func BenchmarkParticipantPage(b *testing.B) {
	for _, n := range []int{1_000, 20_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			st, err := bolt.Open(filepath.Join(b.TempDir(), "roster.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			svc := importer.New(importer.Config{Store: st, TmpDir: b.TempDir()})
			se := svc.As(admin(tenant))
			if _, err := se.PutProgram(ctx, mentoringProgram); err != nil {
				b.Fatal(err)
			}
			seedParticipants(b, st, n)
			// The cursor of the page in the middle.
			q := importer.ParticipantQuery{Limit: 100}
			for range n / 200 {
				page, err := se.ListParticipants(ctx, "mentoring", q)
				if err != nil {
					b.Fatal(err)
				}
				q.Cursor = page.Next
			}
			var size int
			b.ResetTimer()
			for b.Loop() {
				page, err := se.ListParticipants(ctx, "mentoring", q)
				if err != nil || len(page.Participants) != 100 {
					b.Fatalf("page: %d participants, %v", len(page.Participants), err)
				}
				out, _ := json.Marshal(page)
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// seedParticipants saves n users and their participation, 32 at a time
// (the store commits concurrent saves together).
func seedParticipants(b *testing.B, st importer.Store, n int) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 32 {
				u := roster.User{Tenant: tenant, ID: fmt.Sprintf("u%07d", i), Email: fmt.Sprintf("p%07d@example.com", i)}
				p := roster.Participant{Tenant: tenant, ProgramID: "mentoring", UserID: u.ID, Role: "mentee", Status: roster.StatusPending,
					Profile: roster.Profile{"city": "Lyon"}}
				if err := st.Save(context.Background(), importer.Write{User: &u, Participant: &p}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
