package sheet

import (
	"github.com/rosterhq/roster/shared/sheet/sheettest"

	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

const (
	benchXLSXRows = 200_000
	benchCSVRows  = 100_000
)

var benchFiles struct {
	once      sync.Once
	xlsx, csv []byte
	err       error
}

// benchData generates once per process a 200,000-row workbook (strings,
// numbers, dates; 8 columns) and a 100,000-row CSV.
func benchData(b *testing.B) (xlsx, csvData []byte) {
	b.Helper()
	benchFiles.once.Do(func() {
		benchFiles.xlsx, benchFiles.err = os.ReadFile(sheettest.XLSX(b, benchXLSXRows+1))
		if benchFiles.err != nil {
			return
		}
		var buf bytes.Buffer
		buf.WriteString("Email,External ID,First name,Last name,Status,Joined,Score,Notes\n")
		for i := 0; i < benchCSVRows; i++ {
			fmt.Fprintf(&buf, "person%d@example.com,%05d,Jos\u00e9,Garc\u00eda %d,active,2024-01-%02d,%d.5,\"note, with comma %d\"\n", i, i, i, i%28+1, i%100, i)
		}
		benchFiles.csv = buf.Bytes()
	})
	if benchFiles.err != nil {
		b.Fatal(benchFiles.err)
	}
	return benchFiles.xlsx, benchFiles.csv
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkXLSXRows opens the workbook and reads every row, as displayed.
func BenchmarkXLSXRows(b *testing.B) {
	data, _ := benchData(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		book, err := Open(bytes.NewReader(data), int64(len(data)), "bench.xlsx", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		rows, err := book.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	if n != benchXLSXRows+1 {
		b.Fatalf("rows = %d, want %d", n, benchXLSXRows+1)
	}
	reportRows(b, n)
}

// BenchmarkExcelizeRows is the baseline: bare excelize Rows and Columns
// with raw cell values, on the same file.
func BenchmarkExcelizeRows(b *testing.B) {
	data, _ := benchData(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, TmpDir: os.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for rows.Next() {
			if _, err := rows.Columns(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		f.Close()
	}
	if n != benchXLSXRows+1 {
		b.Fatalf("rows = %d, want %d", n, benchXLSXRows+1)
	}
	reportRows(b, n)
}

// BenchmarkCSVRows opens the CSV (detection and counting pass included)
// and reads every row.
func BenchmarkCSVRows(b *testing.B) {
	_, data := benchData(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		book, err := Open(bytes.NewReader(data), int64(len(data)), "bench.csv", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		rows, _ := book.Rows("")
		n = 0
		for rows.Next() {
			if rows.Row().Err != nil {
				b.Fatal(rows.Row().Err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	}
	if n != benchCSVRows+1 {
		b.Fatalf("rows = %d, want %d", n, benchCSVRows+1)
	}
	reportRows(b, n)
}

// BenchmarkEncodingCSV is the baseline: encoding/csv over the same bytes.
func BenchmarkEncodingCSV(b *testing.B) {
	_, data := benchData(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.ReuseRecord = true
		n = 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	if n != benchCSVRows+1 {
		b.Fatalf("rows = %d, want %d", n, benchCSVRows+1)
	}
	reportRows(b, n)
}
