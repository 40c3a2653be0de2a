package sheet

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the readers' output")

// goldenBook is everything a reader shows of a file: its Info and every
// row of every sheet, with per-row and fatal errors as text.
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

func readAll(t *testing.T, b Book) goldenBook {
	t.Helper()
	g := goldenBook{Info: b.Info()}
	for _, s := range b.Info().Sheets {
		rows, err := b.Rows(s.Name)
		if err != nil {
			t.Fatalf("Rows(%q): %v", s.Name, err)
		}
		gs := goldenSheet{Name: s.Name, Rows: []goldenRow{}}
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
			t.Errorf("Rows(%q).Close: %v", s.Name, err)
		}
		g.Sheets = append(g.Sheets, gs)
	}
	return g
}

func openFile(t *testing.T, path string, lim Limits) (Book, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Open(bytes.NewReader(data), int64(len(data)), filepath.Base(path), lim)
}

// TestGolden reads each fixture through Open and compares all it shows
// with testdata/golden/<file>.json (F1-F3); -update rewrites the goldens.
func TestGolden(t *testing.T) {
	for _, file := range []string{
		"csv_utf8_bom_comma.csv",
		"csv_cp1252_semicolon.csv",
		"tsv_utf8.tsv",
		"unicode_text_utf16le.txt",
		"csv_cr_only.csv",
		"csv_preamble.csv",
		"csv_ragged_malformed.csv",
		"features.xlsx",
		"features_lo.xlsx",
	} {
		t.Run(file, func(t *testing.T) {
			b, err := openFile(t, filepath.Join("testdata", file), Limits{})
			if err != nil {
				t.Fatalf("Open(%s): %v", file, err)
			}
			defer b.Close()
			got := readAll(t, b)
			golden := filepath.Join("testdata", "golden", file+".json")
			if *update {
				data, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(data, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			var want goldenBook
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Open(%s) mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
}
