package sheet

import (
	"github.com/rosterhq/roster/shared/sheet/sheettest"

	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// BenchmarkReadChild reads whole files of 100,000 and 1,000,000 rows in a
// child process (this test binary run again), so that the peak RSS it
// reports (VmHWM, see peakRSS) is the read's alone: it stays flat from 100k to 1M rows when
// reading streams. The baselines read the same files with encoding/csv and
// with excelize's Rows. Files are generated once into the temp directory.
//
//	go test -run='^$' -bench=ReadChild -benchtime=1x ./shared/sheet
func BenchmarkReadChild(b *testing.B) {
	for _, rows := range []int{100_000, 1_000_000} {
		for _, c := range []struct {
			format, reader string
			write          func(w *bufio.Writer, rows int)
		}{
			{"csv", "sheet", writeBenchCSV},
			{"csv", "encoding-csv", writeBenchCSV},
			{"xlsx", "sheet", nil},
			{"xlsx", "excelize", nil},
			{"ods", "sheet", nil},
			{"xml", "sheet", writeBenchXML},
			{"json", "sheet", writeBenchJSON},
		} {
			b.Run(fmt.Sprintf("%s/%s/rows=%d", c.format, c.reader, rows), func(b *testing.B) {
				var path string
				switch c.format {
				case "xlsx":
					path = benchXLSXFile(b, rows)
				case "ods":
					path = benchODSFile(b, rows)
				default:
					path = benchFile(b, c.format, rows, c.write)
				}
				var total time.Duration
				var peak int64
				for b.Loop() {
					res := runChild(b, c.reader, path)
					if want := rows + headerOnTop(c.format); res.Rows != want {
						b.Fatalf("child read %d rows of %s, want %d", res.Rows, path, want)
					}
					total += res.Elapsed
					peak = max(peak, res.PeakKB)
				}
				b.ReportMetric(float64(rows)*float64(b.N)/total.Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
			})
		}
	}
}

// headerOnTop is 1 where the bench file has rows records and a header row
// on top (JSON objects), 0 where the header is one of the rows.
func headerOnTop(format string) int {
	if format == "json" {
		return 1
	}
	return 0
}

// childEnv selects the reader and file a child process reads.
const childEnv = "ROSTER_SHEET_BENCH_CHILD"

// TestMain runs a benchmark's child read when childEnv says so.
func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(childRead(spec))
	}
	os.Exit(m.Run())
}

type childResult struct {
	Rows    int
	Elapsed time.Duration
	PeakKB  int64  // VmHWM of the child's own address space
	Err     string // the error that stopped a "hostile" read
}

// peakRSS is the high-water mark of this process's resident set since it
// started (exec), in kilobytes. The child reports it itself: the Maxrss of
// its rusage would include the parent's, as os/exec starts children with
// vfork and Linux keeps the larger of the two marks across exec.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return -1
}

// runChild reads path in a child process and returns what it read.
func runChild(b *testing.B, reader, path string) childResult {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+reader+":"+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("child read of %s: %v", path, err)
	}
	var res childResult
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatalf("child output %q: %v", out, err)
	}
	return res
}

func childRead(spec string) int {
	reader, path, ok := strings.Cut(spec, ":")
	if !ok {
		fmt.Fprintf(os.Stderr, "%s=%q: want reader:path\n", childEnv, spec)
		return 2
	}
	start := time.Now()
	if reader == "hostile" {
		n, err := readHostile(path)
		res := childResult{Rows: n, Elapsed: time.Since(start), PeakKB: peakRSS(), Err: errString(err)}
		out, _ := json.Marshal(res)
		os.Stdout.Write(out)
		return 0
	}
	n, err := readWith(reader, path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "read %s with %s: %v\n", path, reader, err)
		return 1
	}
	res := childResult{Rows: n, Elapsed: time.Since(start), PeakKB: peakRSS()}
	out, _ := json.Marshal(res)
	os.Stdout.Write(out)
	return 0
}

// readWith reads every row of the file's first sheet and counts them.
func readWith(reader, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	n := 0
	switch reader {
	case "sheet":
		book, err := Open(f, st.Size(), filepath.Base(path), benchLimits)
		if err != nil {
			return 0, err
		}
		defer book.Close()
		// The importer knows the sheet's name from the file's structure;
		// text and JSON files name their one sheet after the file, and
		// asking Info for it would count a text file's rows first.
		sheet := baseName(path)
		if ext := filepath.Ext(path); ext != ".csv" && ext != ".json" {
			sheet = book.Info().Sheets[0].Name
		}
		rows, err := book.Rows(sheet)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			n++
		}
		return n, rows.Err()
	case "encoding-csv":
		r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
		r.FieldsPerRecord, r.ReuseRecord = -1, true
		for {
			_, err := r.Read()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			n++
		}
	case "excelize":
		x, err := excelize.OpenReader(f, excelize.Options{RawCellValue: true, TmpDir: os.TempDir()})
		if err != nil {
			return 0, err
		}
		defer x.Close()
		rows, err := x.Rows(x.GetSheetName(0))
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			if _, err := rows.Columns(); err != nil {
				return n, err
			}
			n++
		}
		return n, rows.Error()
	}
	return 0, errors.New("unknown reader " + reader)
}

// writeBenchCSV writes a header and rows-1 records of 8 columns, some
// quoted, some not ASCII.
func writeBenchCSV(w *bufio.Writer, rows int) {
	w.WriteString("Email,External ID,First name,Last name,Status,Joined,Score,Notes\n")
	for i := 1; i < rows; i++ {
		fmt.Fprintf(w, "person%d@example.com,%07d,Jos\u00e9,Garc\u00eda %d,active,2024-01-%02d,%d.5,\"note, with comma %d\"\n",
			i, i, i, i%28+1, i%100, i)
	}
}

// benchXLSXFile is a workbook of a header and rows-1 rows of 8 columns.
func benchXLSXFile(b *testing.B, rows int) string { return sheettest.XLSX(b, rows) }
