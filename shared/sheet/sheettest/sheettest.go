// Package sheettest makes large spreadsheet files for benchmarks.
package sheettest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX returns a workbook of a header and rows-1 rows of 8 columns (inline
// strings, a date style, numbers) written by excelize's StreamWriter, which
// leaves the sheet's dimension as "A1". It is written once per machine into
// the temp directory and reused.
func XLSX(tb testing.TB, rows int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roster-bench-%d.xlsx", rows))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Email", "External ID", "First name", "Last name", "Status", "Joined", "Score", "Notes"}); err != nil {
		tb.Fatal(err)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i < rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		err := sw.SetRow(cell, []any{
			fmt.Sprintf("person%d@example.com", i), fmt.Sprintf("%07d", i), "José", fmt.Sprintf("García %d", i),
			"active", excelize.Cell{StyleID: dateStyle, Value: base.AddDate(0, 0, i%365)}, float64(i%100) + 0.5,
			fmt.Sprintf("note %d", i),
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	tmp := strings.TrimSuffix(path, ".xlsx") + ".tmp.xlsx" // excelize wants the extension
	if err := f.SaveAs(tmp); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	return path
}
