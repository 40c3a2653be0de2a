package sheet

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the readers' output")

// goldenBook is what a golden file holds: the Info of a file and every row
// of every sheet as read.
type goldenBook struct {
	Info   Info          `json:"info"`
	Sheets []goldenSheet `json:"sheets"`
}

type goldenSheet struct {
	Name string      `json:"name"`
	Rows []goldenRow `json:"rows"`
	Err  string      `json:"error,omitempty"`
}

type goldenRow struct {
	Number int      `json:"number"`
	Cells  []string `json:"cells"`
	Err    string   `json:"error,omitempty"`
}

// readAll reads every sheet of a book into a goldenBook.
func readAll(t testing.TB, b Book) goldenBook {
	t.Helper()
	g := goldenBook{Info: b.Info()}
	for _, si := range g.Info.Sheets {
		rows, err := b.Rows(si.Name)
		if err != nil {
			t.Fatalf("Rows(%q): %v", si.Name, err)
		}
		gs := goldenSheet{Name: si.Name, Rows: []goldenRow{}}
		for rows.Next() {
			r := rows.Row()
			gr := goldenRow{Number: r.Number, Cells: append([]string{}, r.Cells...)}
			if r.Err != nil {
				gr.Err = r.Err.Error()
			}
			gs.Rows = append(gs.Rows, gr)
		}
		if err := rows.Err(); err != nil {
			gs.Err = err.Error()
		}
		if err := rows.Close(); err != nil {
			t.Errorf("Rows(%q).Close: %v", si.Name, err)
		}
		g.Sheets = append(g.Sheets, gs)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return g
}

// openFile opens a testdata file with one format's opener.
func openFile(t testing.TB, open opener, path string, lim Limits) (Book, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return open(bytes.NewReader(data), int64(len(data)), filepath.Base(path), lim)
}

// checkGolden compares a file's rows with testdata/golden/<file>.json.
func checkGolden(t *testing.T, open opener, file string) goldenBook {
	t.Helper()
	b, err := openFile(t, open, filepath.Join("testdata", file), Limits{})
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	got := readAll(t, b)
	path := filepath.Join("testdata", "golden", file+".json")
	if *update {
		data, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	var want goldenBook
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s differs from its golden file (-want +got):\n%s", file, diff)
	}
	return got
}

// cellAt returns the cell of a golden sheet at a row number and column
// letter, "" when absent.
func (g goldenBook) cellAt(sheet string, row int, col string) string {
	c := 0
	for _, ch := range col {
		c = c*26 + int(ch-'A'+1)
	}
	for _, s := range g.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range s.Rows {
			if r.Number == row && c-1 < len(r.Cells) {
				return r.Cells[c-1]
			}
		}
	}
	return ""
}

// TestFormatValue: every workbook reader (XLSX, XLS) shows a number through
// its cell's number format the same way (F3).
func TestFormatValue(t *testing.T) {
	date := numFormat{kind: kindDate}
	tests := []struct {
		name     string
		v        float64
		format   string // custom format code; "" is General
		date1904 bool
		want     string
	}{
		{"F3_float_noise", 0.1 + 0.2, "", false, "0.3"},
		{"half", 87.5, "", false, "87.5"},
		{"negative", -3.25, "", false, "-3.25"},
		{"eleven_digit_id", 12345678901, "", false, "12345678901"},
		{"fifteen_digits", 123456789012345, "", false, "123456789012345"},
		{"large_as_excel_shows_it", 1.23e20, "", false, "1.23E+20"},
		{"tiny", 1e-12, "", false, "1E-12"},
		{"small", 0.000125, "", false, "0.000125"},
		{"third", 1.0 / 3, "", false, "0.333333333333333"},
		{"currency_shows_the_number", 1234.5, `#,##0.00\ [$€-407]`, false, "1234.5"},
		{"percent", 0.125, "0.00%", false, "12.50%"},
		{"date", 45306, "m/d/yyyy", false, "2024-01-15"},
		{"date_time", 45306.395833333336, `yyyy\-mm\-dd\ hh:mm`, false, "2024-01-15 09:30:00"},
		{"month_name_is_a_date", 45306, "mmmm", false, "2024-01-15"},
		{"before_lotus_leap_day", 59, "m/d/yyyy", false, "1900-02-28"},
		{"lotus_leap_day", 60, "m/d/yyyy", false, "1900-02-29"},
		{"after_lotus_leap_day", 61, "m/d/yyyy", false, "1900-03-01"},
		{"date1904", 0, "m/d/yyyy", true, "1904-01-01"},
		{"time_of_day", 0.5, "h:mm:ss", false, "12:00:00"},
		{"minutes_seconds", 0.5, "mm:ss", false, "12:00:00"},
		{"elapsed", 1.5, "[h]:mm:ss", false, "36:00:00"},
		{"negative_date_shows_the_number", -1, "m/d/yyyy", false, "-1"},
		{"past_9999_shows_the_number", 3e6, "m/d/yyyy", false, "3000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := classifyFormat(tc.format)
			if got := formatValue(tc.v, f, tc.date1904); got != tc.want {
				t.Errorf("formatValue(%v, %q) = %q, want %q", tc.v, tc.format, got, tc.want)
			}
		})
	}
	if got := formatValue(45306, date, false); got != "2024-01-15" {
		t.Errorf("formatValue(45306, built-in date) = %q, want 2024-01-15", got)
	}
}

func TestCellCheckRow(t *testing.T) {
	lim := Limits{MaxRows: 3, MaxColumns: 2, MaxCellLength: 4}.WithDefaults()
	tests := []struct {
		name   string
		number int
		width  int
		cells  []string
		want   string
	}{
		{"within", 3, 0, []string{"abcd", "éééé"}, ""},
		{"F8_rows_header_on_top", 4, 0, []string{"a"}, ""},
		{"F8_rows", 5, 0, []string{"a"}, "f.xls, sheet S, row 5: rows exceeds the limit of 3"},
		{"F8_columns", 1, 0, []string{"a", "b", "c"}, "f.xls, sheet S, row 1, column C: columns exceeds the limit of 2 (found 3)"},
		{"F8_columns_cut_by_reader", 2, 700, []string{"a"}, "f.xls, sheet S, row 2, column C: columns exceeds the limit of 2 (found 700)"},
		{"F8_cell_length", 2, 0, []string{"", "abcde"}, "f.xls, sheet S, row 2, column B: cell length exceeds the limit of 4 (found 5)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := cellCheckRow("f.xls", "S", lim, tc.number, tc.width, tc.cells)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("cellCheckRow(row %d) = %q, want %q", tc.number, got, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "exceeds") {
				t.Errorf("error %q does not say what was exceeded", err)
			}
		})
	}
}
