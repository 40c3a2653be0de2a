package keyset

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkSet adds 1,000,000 distinct emails (and looks each up once
// more), reporting the set's memory per key (its slots, not the log on
// disk) and the time per Add.
//
//	go test -run='^$' -bench=Set -benchtime=1x ./shared/keyset
func BenchmarkSet(b *testing.B) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("person%d@example.com", i)
	}
	var perKey float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		s := New(nil)
		for i, k := range keys {
			s.Add(k, uint64(i))
		}
		for _, k := range keys {
			if _, dup := s.Add(k, 0); !dup {
				b.Fatalf("%s added twice", k)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(s)
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(perKey, "B/key")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(2*n), "ns/add")
}
