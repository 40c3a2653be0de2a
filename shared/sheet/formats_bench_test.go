package sheet

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Run with -benchtime=1x: one iteration reads the whole file, and the
// 1,000,000-row files take seconds each.
//
//	go test -run='^$' -bench=. -benchtime=1x -benchmem ./shared/sheet

var benchLimits = Limits{MaxFileSize: 4 << 30, MaxRows: 2_000_000}

func BenchmarkXML2003(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := benchFile(b, "xml", rows, writeBenchXML)
			benchRead(b, openXML, path, rows)
		})
	}
}

func BenchmarkJSON(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := benchFile(b, "json", rows, writeBenchJSON)
			benchRead(b, openJSON, path, rows+1) // and the header row
		})
	}
}

// BenchmarkXLS reads testdata/features.xls (14 rows over 3 sheets) again and
// again: a large .xls is not easy to generate without an .xls writer.
func BenchmarkXLS(b *testing.B) {
	data := readFixture(b, "features.xls")
	b.ReportAllocs()
	for b.Loop() {
		book, err := openXLS(bytes.NewReader(data), int64(len(data)), "features.xls", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range book.Info().Sheets {
			rows, err := book.Rows(s.Name)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchRead opens and reads a file b.N times, reporting rows/s, bytes
// allocated per row and the peak heap in use, sampled every 10,000 rows:
// for a streaming reader the peak stays flat as the file grows.
func benchRead(b *testing.B, open opener, path string, wantRows int) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	startAlloc, peak := ms.TotalAlloc, ms.HeapInuse
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		book, err := open(f, st.Size(), filepath.Base(path), benchLimits)
		if err != nil {
			b.Fatal(err)
		}
		sample()
		rows, err := book.Rows(book.Info().Sheets[0].Name)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if n++; n%10_000 == 0 {
				sample()
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		if n != wantRows {
			b.Fatalf("read %d rows, want %d", n, wantRows)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	total := float64(b.N) * float64(wantRows)
	b.ReportMetric(total/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(ms.TotalAlloc-startAlloc)/total, "B/row")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// benchFile generates a file once per machine in the temp directory, so that
// repeated benchmark runs do not rewrite hundreds of megabytes.
func benchFile(b *testing.B, ext string, rows int, write func(w *bufio.Writer, rows int)) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roster-sheet-bench-%d.%s", rows, ext))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write(w, rows)
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

func writeBenchXML(w *bufio.Writer, rows int) {
	w.WriteString(`<?xml version="1.0"?>` + "\n" +
		`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">` + "\n" +
		`<Worksheet ss:Name="People"><Table>` + "\n")
	w.WriteString(`<Row><Cell><Data ss:Type="String">Email</Data></Cell><Cell><Data ss:Type="String">ID</Data></Cell>` +
		`<Cell><Data ss:Type="String">Score</Data></Cell><Cell><Data ss:Type="String">Joined</Data></Cell></Row>` + "\n")
	for i := 1; i < rows; i++ {
		fmt.Fprintf(w, `<Row><Cell><Data ss:Type="String">user%d@example.com</Data></Cell><Cell><Data ss:Type="String">%07d</Data></Cell>`+
			`<Cell><Data ss:Type="Number">%d.5</Data></Cell><Cell><Data ss:Type="DateTime">2024-01-%02dT00:00:00.000</Data></Cell></Row>`+"\n",
			i, i, i%100, 1+i%28)
	}
	w.WriteString("</Table></Worksheet></Workbook>\n")
}

func writeBenchJSON(w *bufio.Writer, rows int) {
	w.WriteString("[\n")
	for i := range rows {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"email":"user%d@example.com","id":"%07d","score":%d.5,"active":%t,"profile":{"city":"City %d"}}`,
			i, i, i%100, i%2 == 0, i%50)
	}
	w.WriteString("\n]\n")
}
