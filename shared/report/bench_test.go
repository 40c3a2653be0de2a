package report

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

const benchEntries = 100_000

// countingWriter counts the bytes of a report and keeps none.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func benchEntry(i int) Entry {
	return Entry{
		Sheet:   "Students",
		Row:     i + 2,
		Headers: []string{"Email", "First name", "Last name", "Employee ID", "Status", "Department", "Start date", "Skills"},
		Values: []string{fmt.Sprintf("user%d@example", i), "Ann", "Lee", fmt.Sprintf("E%06d", i), "actve",
			"Engineering", "31/02/2024", "Go, SQL"},
		Flags: []roster.Flag{
			{Column: "Email", Value: fmt.Sprintf("user%d@example", i), Reason: "not a valid email address", Severity: roster.SeverityError, Rule: "V1"},
			{Column: "Status", Value: "actve", Reason: "status must be active or suspended", Severity: roster.SeverityError, Rule: "V4"},
		},
	}
}

// benchReport writes benchEntries entries and reports the output size and
// the largest live heap seen while writing (measured after a collection,
// every 10,000 entries, and before Close).
func benchReport(b *testing.B, open func(*countingWriter) Writer) {
	entries := make([]Entry, 1000)
	for i := range entries {
		entries[i] = benchEntry(i)
	}
	b.ReportAllocs()
	var out countingWriter
	var peak uint64
	var ms runtime.MemStats
	for b.Loop() {
		out = countingWriter{}
		w := open(&out)
		for i := range benchEntries {
			e := entries[i%len(entries)]
			e.Row = i + 2
			if i >= benchEntries*2/3 {
				e.Sheet = "Parents" // the entries of a second sheet follow the first's
			}
			if err := w.Write(e); err != nil {
				b.Fatal(err)
			}
			if i%10_000 == 9_999 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.n)/1e6, "MB-out")
	b.ReportMetric(float64(peak)/1e6, "MB-live-heap")
}

func BenchmarkReportCSV(b *testing.B) {
	benchReport(b, func(w *countingWriter) Writer { return NewCSV(w) })
}

func BenchmarkReportXLSX(b *testing.B) {
	benchReport(b, func(w *countingWriter) Writer { return NewXLSX(w) })
}
