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

func TestCellNumber(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"F3_float_noise", 0.1 + 0.2, "0.3"},
		{"half", 87.5, "87.5"},
		{"negative", -3.25, "-3.25"},
		{"thousands", 1234.5, "1234.5"},
		{"integer", 175, "175"},
		{"eleven_digit_id", 12345678901, "12345678901"},
		{"fifteen_digits", 123456789012345, "123456789012345"},
		{"seventeen_digits_rounded", 12345678901234567, "12345678901234600"},
		{"large", 1.23e20, "123000000000000000000"},
		{"huge", 1.5e300, "1.5E+300"},
		{"tiny", 1e-12, "1E-12"},
		{"small", 0.000125, "0.000125"},
		{"zero", 0, "0"},
		{"third", 1.0 / 3, "0.333333333333333"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cellNumber(tc.in); got != tc.want {
				t.Errorf("cellNumber(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCellFormatDateKind(t *testing.T) {
	tests := []struct {
		format string
		want   cellDateKind
	}{
		{"General", cellNotDate},
		{"0.00%", cellNotDate},
		{`#,##0.00\ [$€-407]`, cellNotDate},
		{`[Red]#,##0;[Blue]-#,##0`, cellNotDate},
		{`0" days"`, cellNotDate},
		{`_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)`, cellNotDate},
		{"0.00E+00", cellNotDate},
		{"@", cellNotDate},
		{"m/d/yyyy", cellDate},
		{`yyyy\-mm\-dd\ hh:mm`, cellDate},
		{`d\-mmm\-yy`, cellDate},
		{`[$-409]mmmm d, yyyy;@`, cellDate},
		{"mmmm", cellDate},
		{"h:mm:ss", cellTimeOfDay},
		{"mm:ss", cellTimeOfDay},
		{"h:mm AM/PM", cellTimeOfDay},
		{"[h]:mm:ss", cellElapsedTime},
		{"[Red][h]:mm", cellElapsedTime},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			if got := cellFormatDateKind(tc.format); got != tc.want {
				t.Errorf("cellFormatDateKind(%q) = %d, want %d", tc.format, got, tc.want)
			}
		})
	}
}

func TestCellSerialDate(t *testing.T) {
	tests := []struct {
		name     string
		serial   float64
		date1904 bool
		kind     cellDateKind
		want     string
		wantOK   bool
	}{
		{"date", 45306, false, cellDate, "2024-01-15", true},
		{"date_time", 45306.395833333336, false, cellDate, "2024-01-15 09:30:00", true},
		{"rounds_to_next_day", 45306.999999999, false, cellDate, "2024-01-16", true},
		{"before_lotus_leap_day", 59, false, cellDate, "1900-02-28", true},
		{"lotus_leap_day", 60, false, cellDate, "1900-02-29", true},
		{"after_lotus_leap_day", 61, false, cellDate, "1900-03-01", true},
		{"first_day", 1, false, cellDate, "1900-01-01", true},
		{"date1904", 0, true, cellDate, "1904-01-01", true},
		{"time_of_day", 0.5, false, cellTimeOfDay, "12:00:00", true},
		{"time_without_date", 0.75, false, cellDate, "18:00:00", true},
		{"elapsed", 1.5, false, cellElapsedTime, "36:00:00", true},
		{"negative", -1, false, cellDate, "", false},
		{"past_9999", 3e6, false, cellDate, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cellSerialDate(tc.serial, tc.date1904, tc.kind)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("cellSerialDate(%v, %v, %d) = %q, %v; want %q, %v", tc.serial, tc.date1904, tc.kind, got, ok, tc.want, tc.wantOK)
			}
		})
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
		{"F8_rows", 4, 0, []string{"a"}, "f.xls, sheet S, row 4: rows exceeds the limit of 3"},
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
