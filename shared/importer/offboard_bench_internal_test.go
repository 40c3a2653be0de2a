package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// offboardStore serves a program of n generated participants, u0000000…,
// streamed in user ID order, and the users of the generated file's emails;
// nothing is held per participant, so the benchmark measures the pass.
type offboardStore struct {
	Store
	n int
}

func (s offboardStore) GetProgram(_ context.Context, tenant, id string) (roster.Program, error) {
	return roster.Program{Tenant: tenant, ID: id, Name: id, Roles: []string{"mentee"}}, nil
}

func (s offboardStore) FindUsers(_ context.Context, tenant string, keys UserKeys) ([]roster.User, error) {
	us := make([]roster.User, 0, len(keys.Emails))
	for _, e := range keys.Emails {
		us = append(us, roster.User{Tenant: tenant, ID: "u" + strings.TrimSuffix(strings.TrimPrefix(e, "p"), "@x.test"), Email: e})
	}
	return us, nil
}

func (s offboardStore) GetParticipants(_ context.Context, tenant, programID string, ids []string) ([]roster.Participant, error) {
	ps := make([]roster.Participant, len(ids))
	for i, id := range ids {
		ps[i] = roster.Participant{Tenant: tenant, ProgramID: programID, UserID: id, Role: "mentee", Status: roster.StatusActive}
	}
	return ps, nil
}

func (s offboardStore) ListParticipants(_ context.Context, tenant, programID, after string, fn func(roster.Participant) error) error {
	for i := range s.n {
		id := fmt.Sprintf("u%07d", i)
		if id <= after {
			continue
		}
		if err := fn(roster.Participant{Tenant: tenant, ProgramID: programID, UserID: id, Role: "mentee", Status: roster.StatusActive}); err != nil {
			return err
		}
	}
	return nil
}

func (s offboardStore) Save(context.Context, Write) error { return nil }

// fileBlobs serves one generated full file: everyone but every 100th
// participant, who is off-boarded (1%: within the valve).
type fileBlobs struct{ n int }

func (b fileBlobs) Put(_ context.Context, _ string, r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

func (b fileBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	if strings.HasSuffix(key, ".json") {
		return nil, roster.ErrNotFound // no work file kept: each pass decides anew
	}
	pr, pw := io.Pipe()
	go func() {
		var sb strings.Builder
		sb.WriteString("Email\n")
		for i := range b.n {
			if i%100 == 99 {
				continue
			}
			fmt.Fprintf(&sb, "p%07d@x.test\n", i)
			if sb.Len() > 64<<10 {
				if _, err := io.WriteString(pw, sb.String()); err != nil {
					return
				}
				sb.Reset()
			}
		}
		io.WriteString(pw, sb.String())
		pw.Close()
	}()
	return pr, nil
}

// peakHeap samples the live heap until stop is called and returns its peak.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkOffboardPass: the off-boarding pass of a full file (I4) streams
// the file's user IDs (sorted in runs on disk) against the program's
// participants (paged), so its peak heap stays flat from 100,000 to
// 1,000,000 rows.
func BenchmarkOffboardPass(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			s := New(Config{Store: offboardStore{n: n}, Blobs: fileBlobs{n: n}, TmpDir: b.TempDir(), BatchSize: 500})
			in := roster.Integration{Tenant: "t", ID: "hr", Program: "p", Role: "mentee", Mode: roster.ModeFull,
				DeactivateMissing: true, Valve: roster.Valve{MaxShare: 0.2, MaxCount: 10}}
			im := roster.Import{Tenant: "t", ID: "imp_bench", ProgramID: "p", FileName: "people.csv", FileKey: "f",
				Settings: in.Settings(), Sheets: []roster.SheetPlan{{Name: "people", Role: "mentee", HeaderRow: 1,
					Headers: []string{"Email"}, Mapping: roster.Mapping{roster.TargetEmail}}}}
			var peak uint64
			for b.Loop() {
				runtime.GC()
				stop := peakHeap()
				ob, err := s.offboard(b.Context(), in, im, n-n/100, nil, false)
				peak = max(peak, stop())
				if err != nil {
					b.Fatal(err)
				}
				if ob.Suspended != n/100 || ob.Outcome != roster.ValveApply {
					b.Fatalf("off-boarding = %+v, want %d suspended", ob, n/100)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

func (b fileBlobs) Delete(context.Context, string) error { return nil }
