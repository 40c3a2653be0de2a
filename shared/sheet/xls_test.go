package sheet

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestXLSGolden(t *testing.T) {
	g := checkGolden(t, openXLS, "features.xls")

	wantSheets := []SheetInfo{
		{Name: "People", Rows: 10, Columns: 12},
		{Name: "Sécond ñ 表", Rows: 3, Columns: 3},
		{Name: "Hidden", Hidden: true, Rows: 1, Columns: 1},
	}
	if diff := cmp.Diff(wantSheets, g.Info.Sheets); diff != "" {
		t.Errorf("F3 sheets (-want +got):\n%s", diff)
	}
	// Values checked by eye against the file opened in a spreadsheet program.
	tests := []struct {
		name  string
		sheet string
		row   int
		col   string
		want  string
	}{
		{"merged_title_in_top_left", "People", 1, "A", "Participant import – Q3 2024"},
		{"merged_title_not_repeated", "People", 1, "B", ""},
		{"header", "People", 3, "F", "Joined"},
		{"F2_latin1_compressed_string", "People", 4, "C", "José"},
		{"leading_zeros_kept", "People", 4, "B", "00123"},
		{"F3_custom_date_with_time", "People", 4, "F", "2024-01-15 09:30:00"},
		{"F3_rk_number_87.5", "People", 4, "G", "87.5"},
		{"boolean_true", "People", 4, "H", "TRUE"},
		{"boolean_false", "People", 5, "H", "FALSE"},
		{"formula_cached_number", "People", 4, "J", "175"},
		{"F3_date_format_m/d/yyyy", "People", 4, "K", "1990-05-31"},
		{"formula_cached_text", "People", 4, "L", "José García"},
		{"eleven_digit_id_exact", "People", 5, "B", "12345678901"},
		{"cjk", "People", 5, "C", "太郎"},
		{"F3_date_d-mmm-yy", "People", 5, "F", "2023-12-31"},
		{"emoji", "People", 5, "I", "🎉 party 👍🏽 — emoji"},
		{"F3_rk_number_-3.25", "People", 7, "G", "-3.25"},
		{"merged_E8_value", "People", 8, "E", "merged E8:F8"},
		{"merged_F8_empty", "People", 8, "F", ""},
		{"quotes_and_comma", "People", 9, "C", `Seán, "Jack"`},
		{"control_characters", "People", 9, "I", "line1\nline2;semi\ttab|pipe"},
		{"time_of_day_rk_0.5", "People", 10, "F", "12:00:00"},
		{"percent_as_displayed", "People", 10, "G", "12.50%"},
		{"F3_rk_number_1234.5_euro", "People", 10, "I", "1234.5"},
		{"second_sheet_number", "Sécond ñ 表", 2, "A", "1"},
		{"hidden_sheet_value", "Hidden", 1, "A", "secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.cellAt(tc.sheet, tc.row, tc.col); got != tc.want {
				t.Errorf("%s!%s%d = %q, want %q", tc.sheet, tc.col, tc.row, got, tc.want)
			}
		})
	}
	if got := len([]rune(g.cellAt("People", 7, "I"))); got != 4800 {
		t.Errorf("People!I7 has %d characters, want the whole 4,800-character (5.7 kB) cell", got)
	}
}

// withFilePass marks a BIFF8 workbook as encrypted by turning the record
// after the globals BOF into a FILEPASS record, as Excel writes it.
func withFilePass(t *testing.T, data []byte) []byte {
	t.Helper()
	bof := []byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00}
	i := bytes.Index(data, bof)
	if i < 0 {
		t.Fatal("no globals BOF record in the fixture")
	}
	out := bytes.Clone(data)
	out[i+20], out[i+21] = 0x2F, 0x00
	return out
}

func TestXLSErrors(t *testing.T) {
	features := readFixture(t, "features.xls")
	tests := []struct {
		name string
		data []byte
		want error // errors.As target type via errors.Is on the sentinel
	}{
		{"F1_password_protected", withFilePass(t, features), ErrUnsupported},
		{"empty", nil, nil},
		{"not_ole", []byte("hello, this is not a workbook"), nil},
		{"ole_header_only", features[:512], nil},
		{"truncated_half", features[:len(features)/2], nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := openXLS(bytes.NewReader(tc.data), int64(len(tc.data)), "bad.xls", Limits{})
			if err == nil {
				readAll(t, b)
				t.Fatalf("openXLS(%s) succeeded, want an error", tc.name)
			}
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("openXLS(%s) = %v, want %v", tc.name, err, tc.want)
				}
				var ue *UnsupportedError
				if !errors.As(err, &ue) || ue.Detected != "password-protected workbook" || ue.File != "bad.xls" {
					t.Errorf("openXLS(%s) = %#v, want UnsupportedError naming the file and a password-protected workbook", tc.name, err)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "bad.xls" {
				t.Errorf("openXLS(%s) = %v (%T), want a *ParseError naming bad.xls", tc.name, err, err)
			}
		})
	}
}

// TestXLSTruncated cuts the fixture at many lengths: each must give an error
// or rows, never a panic.
func TestXLSTruncated(t *testing.T) {
	features := readFixture(t, "features.xls")
	for n := 0; n < len(features); n += 97 {
		data := features[:n]
		b, err := openXLS(bytes.NewReader(data), int64(n), "cut.xls", Limits{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("openXLS(first %d bytes) = %v (%T), want a *ParseError", n, err, err)
			}
			continue
		}
		readAll(t, b)
	}
}

// TestXLSRandomBytes feeds garbage, with and without an OLE header, to the
// reader: it must fail cleanly.
func TestXLSRandomBytes(t *testing.T) {
	features := readFixture(t, "features.xls")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		data := bytes.Clone(features)
		// Flip a few bytes past the header, where the records are.
		for range 1 + i%8 {
			j := 512 + rng.IntN(len(data)-512)
			data[j] = byte(rng.Uint32())
		}
		if b, err := openXLS(bytes.NewReader(data), int64(len(data)), "noise.xls", Limits{}); err == nil {
			readAll(t, b)
		}
	}
}

func TestXLSLimits(t *testing.T) {
	features := readFixture(t, "features.xls")
	tests := []struct {
		name string
		lim  Limits
		want string
	}{
		{"F8_rows", Limits{MaxRows: 5}, "limits.xls, sheet People, row 7: rows exceeds the limit of 5"},
		{"F8_columns", Limits{MaxColumns: 3}, "limits.xls, sheet People, row 3, column D: columns exceeds the limit of 3 (found 12)"},
		{"F8_cell_length", Limits{MaxCellLength: 1000}, "limits.xls, sheet People, row 7, column I: cell length exceeds the limit of 1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := openXLS(bytes.NewReader(features), int64(len(features)), "limits.xls", tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := b.Rows("People")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
			}
			err = rows.Err()
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
				t.Fatalf("Rows.Err() = %v, want a *LimitError", err)
			}
			if got := err.Error(); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
				t.Errorf("Rows.Err() = %q, want it to start with %q", got, tc.want)
			}
		})
	}
	t.Run("F8_file_size", func(t *testing.T) {
		_, err := openXLS(bytes.NewReader(features), int64(len(features)), "big.xls", Limits{MaxFileSize: 1000})
		if !errors.Is(err, ErrLimit) {
			t.Errorf("openXLS with MaxFileSize 1000 = %v, want a limit error", err)
		}
	})
	t.Run("unknown_sheet", func(t *testing.T) {
		b, err := openXLS(bytes.NewReader(features), int64(len(features)), "f.xls", Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Rows("Nope"); err == nil {
			t.Error(`Rows("Nope") succeeded, want an error`)
		}
	})
}

func FuzzXLS(f *testing.F) {
	features := readFixture(f, "features.xls")
	f.Add(features)
	f.Add(features[:4096])
	f.Add([]byte{0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := openXLS(bytes.NewReader(data), int64(len(data)), "fuzz.xls", Limits{})
		if err != nil {
			var pe *ParseError
			var ue *UnsupportedError
			if !errors.As(err, &pe) && !errors.As(err, &ue) {
				t.Fatalf("openXLS error %v (%T), want *ParseError or *UnsupportedError", err, err)
			}
			return
		}
		readAll(t, b)
	})
}
