package sheet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLimitsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Limits
		wantErr string
	}{
		{"F8_unset_means_defaults", nil, Limits{}, ""},
		{"F8_every_limit", map[string]string{
			EnvMaxFileSize: "1048576", EnvMaxRows: "5000", EnvMaxColumns: "64",
			EnvMaxCellLength: "1000", EnvMaxUnzippedSize: " 10485760 ",
			EnvMaxSharedStrings: "20000", EnvMaxSharedStringsSize: "65536",
		}, Limits{MaxFileSize: 1 << 20, MaxRows: 5000, MaxColumns: 64, MaxCellLength: 1000, MaxUnzippedSize: 10 << 20,
			MaxSharedStrings: 20000, MaxSharedStringsSize: 64 << 10}, ""},
		{"F8_shared_strings_word", map[string]string{EnvMaxSharedStrings: "lots"},
			Limits{}, `ROSTER_MAX_SHARED_STRINGS="lots": want a whole number of entries, 0 or empty for the default`},
		{"F8_zero_and_empty_mean_default", map[string]string{EnvMaxRows: "0", EnvMaxColumns: ""}, Limits{}, ""},
		{"F8_not_a_number", map[string]string{EnvMaxFileSize: "200MB"},
			Limits{}, `ROSTER_MAX_FILE_SIZE="200MB": want a whole number of bytes, 0 or empty for the default`},
		{"F8_negative", map[string]string{EnvMaxRows: "-1"},
			Limits{}, `ROSTER_MAX_ROWS="-1": want a whole number of rows, 0 or empty for the default`},
		{"F8_fraction", map[string]string{EnvMaxCellLength: "1.5"},
			Limits{}, `ROSTER_MAX_CELL_LENGTH="1.5": want a whole number of characters, 0 or empty for the default`},
		{"F8_columns_word", map[string]string{EnvMaxColumns: "many"},
			Limits{}, `ROSTER_MAX_COLUMNS="many": want a whole number of columns, 0 or empty for the default`},
		{"F8_unzipped_overflow", map[string]string{EnvMaxUnzippedSize: "99999999999999999999"},
			Limits{}, `ROSTER_MAX_UNZIPPED_SIZE="99999999999999999999": want a whole number of bytes, 0 or empty for the default`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LimitsFromEnv(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("LimitsFromEnv(%v) error = %v, want %q", tc.env, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LimitsFromEnv(%v): %v", tc.env, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LimitsFromEnv(%v) mismatch (-want +got):\n%s", tc.env, diff)
			}
		})
	}
}

// limitsFile writes the same three rows in each writable format, one sheet
// named S.
func limitsFile(t *testing.T, format Format, rows [][]string) (name string, data []byte) {
	t.Helper()
	switch format {
	case CSV:
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
		return "S.csv", []byte(b.String())
	case JSON:
		data, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		return "S.json", data
	case XML:
		var b strings.Builder
		b.WriteString(`<Worksheet ss:Name="S"><Table>`)
		for _, r := range rows {
			b.WriteString("<Row>")
			for _, c := range r {
				b.WriteString(`<Cell><Data ss:Type="String">` + c + `</Data></Cell>`)
			}
			b.WriteString("</Row>")
		}
		b.WriteString(`</Table></Worksheet>`)
		return "S.xml", []byte(xmlWorkbook(b.String()))
	case XLSX:
		var b strings.Builder
		b.WriteString(`<sheetData>`)
		for i, r := range rows {
			fmt.Fprintf(&b, `<row r="%d">`, i+1)
			for _, c := range r {
				b.WriteString(`<c t="inlineStr"><is><t>` + c + `</t></is></c>`)
			}
			b.WriteString(`</row>`)
		}
		b.WriteString(`</sheetData>`)
		return "S.xlsx", rawXLSX{
			workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
			rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
			sheets:   map[string]string{"xl/worksheets/sheet1.xml": b.String()},
		}.bytes(t)
	}
	t.Fatalf("no writer for %s", format)
	return "", nil
}

// TestLimitsEachReader checks that each limit of F8 stops each reader with
// its own *LimitError naming the file, sheet, row and column (.xls: see
// TestXLSLimits, there is no writer here).
func TestLimitsEachReader(t *testing.T) {
	rows := [][]string{{"email", "name", "note"}, {"a@example.com", "Ann", "hi"}, {"b@example.com", "Bob", "yo"}}
	tests := []struct {
		name    string
		lim     Limits
		what    string
		row     int
		column  int
		formats []Format
	}{
		{"F8_file_size", Limits{MaxFileSize: 10}, "file size", 0, -1, []Format{CSV, JSON, XML, XLSX}},
		{"F8_rows", Limits{MaxRows: 1}, "rows", 3, -1, []Format{CSV, JSON, XML, XLSX}},
		{"F8_columns", Limits{MaxColumns: 2}, "columns", 1, 2, []Format{CSV, JSON, XML, XLSX}},
		{"F8_cell_length", Limits{MaxCellLength: 12}, "cell length", 2, 0, []Format{CSV, JSON, XML, XLSX}},
		{"F8_decompressed_size", Limits{MaxUnzippedSize: 100}, "decompressed size", 0, -1, []Format{XLSX}},
	}
	for _, tc := range tests {
		for _, format := range tc.formats {
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				name, data := limitsFile(t, format, rows)
				var err error
				b, err := openBytes(data, name, tc.lim)
				if err == nil {
					g := readAll(t, b)
					if g.Sheets[0].Name != "S" {
						t.Fatalf("sheet = %q, want S", g.Sheets[0].Name)
					}
					if g.Sheets[0].Err != "" {
						err = rowsErr(t, data, name, tc.lim)
					}
				}
				var le *LimitError
				if !errors.As(err, &le) {
					t.Fatalf("reading %s with %+v: error = %v, want a *LimitError", name, tc.lim, err)
				}
				if le.What != tc.what || le.File != name || le.Row != tc.row || le.Column != tc.column {
					t.Errorf("LimitError = %+v, want %s at row %d, column %d of %s", *le, tc.what, tc.row, tc.column, name)
				}
				if tc.row > 0 && le.Sheet != "S" {
					t.Errorf("LimitError sheet = %q, want S", le.Sheet)
				}
				if !strings.HasPrefix(err.Error(), name+": ") && !strings.HasPrefix(err.Error(), name+", sheet S") ||
					!strings.Contains(err.Error(), tc.what+" exceeds the limit of") {
					t.Errorf("error = %q, want it to name %s and the %s limit", err, name, tc.what)
				}
			})
		}
	}
}

// rowsErr reads the one sheet of a file and returns the error that stopped
// it, as a value.
func rowsErr(t *testing.T, data []byte, name string, lim Limits) error {
	t.Helper()
	b, err := openBytes(data, name, lim)
	if err != nil {
		return err
	}
	defer b.Close()
	rows, err := b.Rows("S")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// TestDefaultRowLimitCountsDataRows: F8 a file of 1,000,000 people below
// its header row is read whole with the default limits; one more person
// passes the limit.
func TestDefaultRowLimitCountsDataRows(t *testing.T) {
	for _, tc := range []struct {
		people  int
		wantErr string
	}{
		{1_000_000, ""},
		{1_000_001, "people.csv, sheet people, row 1000002: rows exceeds the limit of 1000000"},
	} {
		var b strings.Builder
		b.WriteString("email\n")
		for range tc.people {
			b.WriteString("x\n")
		}
		data := []byte(b.String())
		book, err := Open(bytes.NewReader(data), int64(len(data)), "people.csv", Limits{})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.Rows("people")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		got := ""
		if rows.Err() != nil {
			got = rows.Err().Error()
		}
		if got != tc.wantErr {
			t.Errorf("%d people: Err() = %q, want %q", tc.people, got, tc.wantErr)
		}
		if tc.wantErr == "" && n != tc.people+1 {
			t.Errorf("%d people: read %d rows, want %d", tc.people, n, tc.people+1)
		}
	}
}
