package main

import (
	"github.com/rosterhq/roster/shared/sheet/sheettest"

	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// inspectBenchRows is the size of the workbook `roster inspect` must list
// and preview in under a second and 64 MB (F3, DESIGN §7).
const inspectBenchRows = 1_000_000

// BenchmarkInspectXLSX1M runs the real binary, `roster inspect --json`, on a
// 1,000,000-row, 8-column workbook written by excelize's StreamWriter, as
// written (dimension "A1") and with the dimension Excel writes. It reports
// the wall time and the peak RSS of the process (its rusage Maxrss: an
// upper bound, as os/exec starts children with vfork and Linux keeps the
// parent's high-water mark across exec, so it is at least this test
// process's RSS). The workbooks are generated once into the temp directory
// and kept.
//
//	go test -run='^$' -bench=InspectXLSX1M -benchtime=3x ./cmd/roster
func BenchmarkInspectXLSX1M(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "roster")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	asWritten := inspectBenchXLSX(b)
	withDim := strings.TrimSuffix(asWritten, ".xlsx") + "-dimension.xlsx"
	if _, err := os.Stat(withDim); err != nil {
		lastCell, _ := excelize.CoordinatesToCellName(8, inspectBenchRows)
		setDimension(b, asWritten, withDim, "A1:"+lastCell)
	}
	for _, c := range []struct {
		name     string
		path     string
		wantRows int
	}{
		{"dimension=A1", asWritten, -1},
		{"dimension=full", withDim, inspectBenchRows},
	} {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			var peak int64
			for b.Loop() {
				cmd := exec.Command(bin, "inspect", "--json", c.path)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				start := time.Now()
				out, err := cmd.Output()
				total += time.Since(start)
				if err != nil {
					b.Fatalf("roster inspect --json %s: %v\n%s", c.path, err, stderr.String())
				}
				peak = max(peak, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
				var st struct {
					Sheets []struct {
						Rows    int        `json:"rows"`
						Preview [][]string `json:"preview"`
					} `json:"sheets"`
				}
				if err := json.Unmarshal(out, &st); err != nil {
					b.Fatalf("inspect output: %v", err)
				}
				if len(st.Sheets) != 1 || st.Sheets[0].Rows != c.wantRows || len(st.Sheets[0].Preview) != 20 {
					b.Fatalf("inspect = %d sheets, rows %d, %d preview rows; want 1 sheet, rows %d, 20 preview rows",
						len(st.Sheets), st.Sheets[0].Rows, len(st.Sheets[0].Preview), c.wantRows)
				}
			}
			b.ReportMetric(total.Seconds()*1000/float64(b.N), "ms")
			b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		})
	}
}

// inspectBenchXLSX is the workbook inspect must list: a header and
// 999,999 rows of 8 columns.
func inspectBenchXLSX(b *testing.B) string { return sheettest.XLSX(b, inspectBenchRows) }

// setDimension copies a workbook, giving each sheet the <dimension> the
// StreamWriter leaves out (or writes as "A1"), streaming.
func setDimension(b *testing.B, src, dst, ref string) {
	b.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
		if err != nil {
			b.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			head := make([]byte, 64<<10)
			n, err := io.ReadFull(r, head)
			if err != nil && err != io.ErrUnexpectedEOF {
				b.Fatal(err)
			}
			head, err = insertDimension(head[:n], ref)
			if err != nil {
				b.Fatalf("%s of %s: %v", f.Name, src, err)
			}
			if _, err := w.Write(head); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := io.Copy(w, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		b.Fatal(err)
	}
}

// insertDimension puts <dimension ref="ref"/> where the schema wants it in
// the head of a sheet part: after <sheetPr>, before the views, formats,
// columns and data. A placeholder "A1" is replaced.
func insertDimension(head []byte, ref string) ([]byte, error) {
	placeholder := []byte(`<dimension ref="A1"`) // then "/>" or "></dimension>"
	if i := bytes.Index(head, placeholder); i >= 0 {
		return slices.Concat(head[:i], []byte(`<dimension ref="`+ref+`"`), head[i+len(placeholder):]), nil
	}
	dim := []byte(`<dimension ref="` + ref + `"/>`)
	for _, next := range []string{"<sheetViews", "<sheetFormatPr", "<cols", "<sheetData"} {
		if i := bytes.Index(head, []byte(next)); i >= 0 {
			return slices.Concat(head[:i], dim, head[i:]), nil
		}
	}
	return nil, fmt.Errorf("no place for a dimension in the first %d bytes", len(head))
}
