package sheet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONGolden(t *testing.T) {
	g := checkGolden(t, openJSON, "people.json")

	want := []goldenSheet{{Name: "people", Rows: []goldenRow{
		{Number: 1, Cells: []string{"email", "externalId", "firstName", "active", "score", "tags", "profile.city"}},
		{Number: 2, Cells: []string{"jose.garcia@example.com", "00123", "José", "TRUE", "87.5", "a, b", "Madrid"}},
		{Number: 3, Cells: []string{"yamada@example.jp", "12345678901", "太郎", "FALSE"}},
		{Number: 4, Cells: []string{"only@example.com"}},
	}}}
	if diff := cmp.Diff(want, g.Sheets); diff != "" {
		t.Errorf("people.json rows (-want +got):\n%s", diff)
	}
	wantInfo := Info{Format: JSON, Sheets: []SheetInfo{{Name: "people", Rows: 4, Columns: 7}}}
	if diff := cmp.Diff(wantInfo, g.Info); diff != "" {
		t.Errorf("people.json Info (-want +got):\n%s", diff)
	}
}

func readJSON(t *testing.T, name, doc string, lim Limits) (goldenBook, error) {
	t.Helper()
	b, err := openJSON(strings.NewReader(doc), int64(len(doc)), name, lim)
	if err != nil {
		return goldenBook{}, err
	}
	return readAll(t, b), nil
}

func TestJSONCases(t *testing.T) {
	tests := []struct {
		name string
		file string
		doc  string
		want []goldenRow
		info SheetInfo
	}{
		{
			name: "nested_objects_flattened",
			file: "n.json",
			doc:  `[{"a":{"b":{"c":1},"d":"x"},"e":2},{"e":3,"a":{"f":true}}]`,
			want: []goldenRow{
				{Number: 1, Cells: []string{"a.b.c", "a.d", "e", "a.f"}},
				{Number: 2, Cells: []string{"1", "x", "2"}},
				{Number: 3, Cells: []string{"", "", "3", "TRUE"}},
			},
			info: SheetInfo{Name: "n", Rows: 3, Columns: 4},
		},
		{
			name: "exact_numbers_as_written",
			file: "dir/nums.data.json",
			doc:  `[{"id":12345678901234567890,"f":0.1,"g":1.50,"e":1e3,"neg":-0}]`,
			want: []goldenRow{
				{Number: 1, Cells: []string{"id", "f", "g", "e", "neg"}},
				{Number: 2, Cells: []string{"12345678901234567890", "0.1", "1.50", "1e3", "-0"}},
			},
			info: SheetInfo{Name: "nums.data", Rows: 2, Columns: 5},
		},
		{
			name: "arrays_in_objects",
			file: "a.json",
			doc:  `[{"tags":["x",2,true,null],"nested":[{"k":1},[2, 3]],"empty":[]}]`,
			want: []goldenRow{
				{Number: 1, Cells: []string{"tags", "nested", "empty"}},
				{Number: 2, Cells: []string{"x, 2, TRUE, ", `[{"k":1},[2,3]]`}},
			},
			info: SheetInfo{Name: "a", Rows: 2, Columns: 3},
		},
		{
			name: "array_of_arrays_no_header",
			file: `C:\Users\x\rows.json`,
			doc:  "\xEF\xBB\xBF" + `[["Email","Name"],[],["a@example.com",null,{"x":1}],[null]]`,
			want: []goldenRow{
				{Number: 1, Cells: []string{"Email", "Name"}},
				{Number: 2, Cells: []string{}},
				{Number: 3, Cells: []string{"a@example.com", "", `{"x":1}`}},
			},
			info: SheetInfo{Name: "rows", Rows: 3, Columns: 3},
		},
		{
			name: "empty_array",
			file: "e.json",
			doc:  " [ ] \n",
			want: []goldenRow{},
			info: SheetInfo{Name: "e"},
		},
		{
			name: "trailing_blank_objects_not_counted",
			file: "b.json",
			doc:  `[{"a":1},{"a":null},{}]`,
			want: []goldenRow{
				{Number: 1, Cells: []string{"a"}},
				{Number: 2, Cells: []string{"1"}},
			},
			info: SheetInfo{Name: "b", Rows: 2, Columns: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := readJSON(t, tc.file, tc.doc, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]SheetInfo{tc.info}, g.Info.Sheets); diff != "" {
				t.Errorf("Info().Sheets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, g.Sheets[0].Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr error // ErrUnsupported, or nil for a *ParseError
		wantMsg string
	}{
		{"F1_object_not_array", `{"a":1}`, ErrUnsupported, "bad.json: unsupported format: JSON that is not an array"},
		{"F1_not_json", "Email,Name\n", ErrUnsupported, "bad.json: unsupported format"},
		{"empty_file", "", ErrUnsupported, "bad.json: unsupported format"},
		{"trailing_comma", `[{"a":1},{"a":2,}]`, nil, "bad.json, sheet bad, row 3: invalid JSON at byte"},
		{"truncated", `[{"a":1},{"a":`, nil, "bad.json, sheet bad, row 3: invalid JSON: unexpected end of file"},
		{"unclosed_array", `[[1],[2]`, nil, "bad.json, sheet bad: invalid JSON: unexpected end of file"},
		{"mixed_items", `[{"a":1},[1]]`, nil, "bad.json, sheet bad, row 3: item 2 is not like the first"},
		{"scalar_items", `[1,2]`, nil, "bad.json, sheet bad, row 1: item 1 is not like the first"},
		{"data_after_array", `[[1]] [[2]]`, nil, "bad.json, sheet bad: invalid JSON: data after the array"},
		{"too_deep", `[` + strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70) + `]`, nil, "bad.json, sheet bad, row 2: objects nested too deeply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readJSON(t, "bad.json", tc.doc, Limits{})
			if err == nil {
				t.Fatal("openJSON succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("openJSON error = %v, want %v", err, tc.wantErr)
			}
			var pe *ParseError
			if tc.wantErr == nil && !errors.As(err, &pe) {
				t.Errorf("openJSON error = %v (%T), want a *ParseError", err, err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantMsg) {
				t.Errorf("openJSON error = %q, want it to start with %q", err, tc.wantMsg)
			}
		})
	}
}

func TestJSONLimits(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		lim  Limits
		want string
	}{
		{"F8_rows", `[{"a":1},{"a":2},{"a":3}]`, Limits{MaxRows: 2}, "l.json, sheet l, row 4: rows exceeds the limit of 2"},
		{"F8_columns_header", `[{"a":1,"b":2,"c":3}]`, Limits{MaxColumns: 2}, "l.json, sheet l, row 1, column C: columns exceeds the limit of 2"},
		{"F8_columns_arrays", `[[1],[1,2,3]]`, Limits{MaxColumns: 2}, "l.json, sheet l, row 2, column C: columns exceeds the limit of 2 (found 3)"},
		{"F8_cell_length", `[["ok","` + strings.Repeat("ü", 11) + `"]]`, Limits{MaxCellLength: 10}, "l.json, sheet l, row 1, column B: cell length exceeds the limit of 10 (found 11)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := readJSON(t, "l.json", tc.doc, tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.Sheets[0].Err; got != tc.want {
				t.Errorf("Rows.Err() = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzJSON(f *testing.F) {
	f.Add(readFixture(f, "people.json"))
	f.Add([]byte(`[["a","b"],[1,null,true,{"x":[1,[2]]}]]`))
	f.Add([]byte(`[{"a":{"b":[{"c":1}]}},{"a.b":2}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := openJSON(bytes.NewReader(data), int64(len(data)), "fuzz.json", Limits{})
		if err != nil {
			var pe *ParseError
			var ue *UnsupportedError
			if !errors.As(err, &pe) && !errors.As(err, &ue) {
				t.Fatalf("openJSON error %v (%T), want a typed error", err, err)
			}
			return
		}
		g := readAll(t, b)
		if got, want := len(g.Sheets[0].Rows), g.Info.Sheets[0].Rows; got != want && g.Sheets[0].Err == "" {
			t.Fatalf("read %d rows, Info says %d", got, want)
		}
	})
}
