package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// readRows opens data and reads every row of its first sheet, errors as
// text.
func readRows(t *testing.T, data []byte, name string, lim Limits) (Info, []goldenRow, error) {
	t.Helper()
	b, err := openBytes(data, name, lim)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer b.Close()
	rows, err := b.Rows(b.Info().Sheets[0].Name)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	defer rows.Close()
	var got []goldenRow
	for rows.Next() {
		r := rows.Row()
		g := goldenRow{Number: r.Number, Cells: append([]string{}, r.Cells...)}
		if r.Err != nil {
			g.Err = r.Err.Error()
		}
		got = append(got, g)
	}
	return b.Info(), got, rows.Err()
}

func utf16Bytes(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestTextRows checks the text reader row by row: line ends, quoting,
// encodings, delimiter sniffing and malformed rows (F2, F5).
func TestTextRows(t *testing.T) {
	type row = goldenRow
	tests := []struct {
		name      string
		file      string
		data      string
		wantDelim string
		wantEnc   string
		want      []row
	}{
		{"F2_lf_crlf_cr_mixed", "a.csv", "a,b\r\nc,d\re,f\ng,h", ",", "utf-8",
			[]row{{1, []string{"a", "b"}, ""}, {2, []string{"c", "d"}, ""}, {3, []string{"e", "f"}, ""}, {4, []string{"g", "h"}, ""}}},
		{"F2_quoted_delimiter_newline_doubled_quote", "a.csv", "name,note\n\"Lee, Ann\",\"says \"\"hi\"\"\r\nthen\rleaves\"\nx,y\n", ",", "utf-8",
			[]row{{1, []string{"name", "note"}, ""}, {2, []string{"Lee, Ann", "says \"hi\"\nthen\nleaves"}, ""}, {3, []string{"x", "y"}, ""}}},
		{"F2_spaces_around_quoted_field", "a.csv", "a, \"b, c\" ,d\n", ",", "utf-8",
			[]row{{1, []string{"a", "b, c", "d"}, ""}}},
		{"F2_blank_lines_are_rows", "a.csv", "a,b\n\n\nc,d\n", ",", "utf-8",
			[]row{{1, []string{"a", "b"}, ""}, {2, []string{}, ""}, {3, []string{}, ""}, {4, []string{"c", "d"}, ""}}},
		{"F2_empty_quoted_and_trailing_empty", "a.csv", "\"\",x,\n", ",", "utf-8",
			[]row{{1, []string{"", "x", ""}, ""}}},
		{"F2_pipe", "a.txt", "email|name\na@example.com|Ann\n", "|", "utf-8",
			[]row{{1, []string{"email", "name"}, ""}, {2, []string{"a@example.com", "Ann"}, ""}}},
		{"F2_semicolon_with_decimal_commas", "a.csv", "Name;Score\nJosé;87,5\nAnn;1,25\n", ";", "utf-8",
			[]row{{1, []string{"Name", "Score"}, ""}, {2, []string{"José", "87,5"}, ""}, {3, []string{"Ann", "1,25"}, ""}}},
		{"F2_tsv_hint_on_tie", "a.tsv", "a,b\tc\n", "\t", "utf-8",
			[]row{{1, []string{"a,b", "c"}, ""}}},
		{"F5_paste_single_column", "Pasted text", "email\na@example.com\n", ",", "utf-8",
			[]row{{1, []string{"email"}, ""}, {2, []string{"a@example.com"}, ""}}},
		{"F2_utf16be_bom", "u.txt", string(utf16Bytes("E-Mail\tName\r\nü@example.de\t山田\r\n", true)), "\t", "utf-16be",
			[]row{{1, []string{"E-Mail", "Name"}, ""}, {2, []string{"ü@example.de", "山田"}, ""}}},
		{"F2_utf8_bom_invalid_bytes_replaced", "a.csv", "\xEF\xBB\xBFa,b\nJos\xE9,x\n", ",", "utf-8",
			[]row{{1, []string{"a", "b"}, ""}, {2, []string{"Jos\uFFFD", "x"}, ""}}},
		{"F2_unclosed_quote_does_not_swallow_later_quoted_rows", "a.csv", "a,b\n1,\"open\n2,x\n3,\"ok\"\n4,y\n", ",", "utf-8",
			[]row{
				{1, []string{"a", "b"}, ""},
				{2, []string{"1", "\"open"}, `a.csv, sheet a, row 2, column B: quoted field not closed (the " has no matching closing ")`},
				{3, []string{"2", "x"}, ""},
				{4, []string{"3", "ok"}, ""},
				{5, []string{"4", "y"}, ""},
			}},
		{"F2_bad_row_after_multiline_record_names_its_line", "a.csv", "a,b,c\n\"x\ny\",b\"ad,c\nd,e,f\n", ",", "utf-8",
			[]row{
				{1, []string{"a", "b", "c"}, ""},
				{2, []string{"x\ny", "b\"ad", "c"}, `a.csv, sheet a, row 2 (line 3), column B: bare " in an unquoted field (quote the whole field and double the inner quotes)`},
				{3, []string{"d", "e", "f"}, ""},
			}},
		{"F2_unclosed_quote_at_end", "a.csv", "a,b\n\"x,y\n", ",", "utf-8",
			[]row{{1, []string{"a", "b"}, ""}, {2, []string{"\"x", "y"}, `a.csv, sheet a, row 2, column A: quoted field not closed (the " has no matching closing ")`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, got, err := readRows(t, []byte(tc.data), tc.file, Limits{})
			if err != nil {
				t.Fatalf("Rows.Err() = %v", err)
			}
			if info.Delimiter != tc.wantDelim || info.Encoding != tc.wantEnc || info.Format != CSV {
				t.Errorf("Info = %+v, want delimiter %q, encoding %q", info, tc.wantDelim, tc.wantEnc)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rows of %q mismatch (-want +got):\n%s", tc.data, diff)
			}
		})
	}
}

// TestTextEncodingWholeFile checks that a Windows-1252 byte far past the
// part of the file used for sniffing still switches the encoding (F2).
func TestTextEncodingWholeFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("email,name\n")
	for b.Len() < 3*detectHeadSize {
		b.WriteString("someone@example.com,Someone\n")
	}
	b.WriteString("last@example.com,Ren\xE9e\n")
	info, rows, err := readRows(t, b.Bytes(), "late.csv", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Encoding != "windows-1252" {
		t.Errorf("Encoding = %q, want windows-1252", info.Encoding)
	}
	last := rows[len(rows)-1]
	if diff := cmp.Diff([]string{"last@example.com", "Renée"}, last.Cells); diff != "" {
		t.Errorf("last row (-want +got):\n%s", diff)
	}
	if info.Sheets[0].Rows != len(rows) || info.Sheets[0].Columns != 2 {
		t.Errorf("Info rows/columns = %d/%d, want %d/2", info.Sheets[0].Rows, info.Sheets[0].Columns, len(rows))
	}
}

// TestTextLongLinesAndFields checks lines and quoted fields larger than the
// read buffer, and a CR-only file whose line ends fall on buffer edges.
func TestTextLongLinesAndFields(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	multi := strings.Repeat("line\r\n", 5000)
	var cr strings.Builder
	for i := 0; i < 20_000; i++ {
		cr.WriteString("abc;def\r")
	}
	tests := []struct {
		name string
		data string
		rows int
		cell string // cell B of the last row
	}{
		{"long_unquoted_line", "a,b\n1," + long + "\n", 2, long},
		{"long_quoted_multiline_field", "a,b\n1,\"" + multi + "\"\n2,z\n", 3, "z"},
		{"cr_only_many_lines", cr.String(), 20_000, "def"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := Limits{MaxCellLength: 200_000}
			_, rows, err := readRows(t, []byte(tc.data), "a.csv", lim)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.rows {
				t.Fatalf("rows = %d, want %d", len(rows), tc.rows)
			}
			for _, r := range rows {
				if r.Err != "" {
					t.Fatalf("row %d error: %s", r.Number, r.Err)
				}
			}
			if got := rows[len(rows)-1].Cells[1]; got != tc.cell {
				t.Errorf("last cell = %.20q (len %d), want %.20q (len %d)", got, len(got), tc.cell, len(tc.cell))
			}
		})
	}
	t.Run("multiline_field_kept_newlines", func(t *testing.T) {
		_, rows, err := readRows(t, []byte("a,b\n1,\""+multi+"\"\n"), "a.csv", Limits{MaxCellLength: 200_000})
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Repeat("line\n", 5000); rows[1].Cells[1] != want {
			t.Errorf("multi-line cell has %d bytes, want %d", len(rows[1].Cells[1]), len(want))
		}
	})
}

// TestTextLimits checks the limits of F8 on text: each is a fatal
// *LimitError naming file, sheet, row and column.
func TestTextLimits(t *testing.T) {
	wide := strings.Repeat("x,", 599) + "x\n"
	tests := []struct {
		name     string
		data     string
		lim      Limits
		wantRows int
		wantErr  string
	}{
		{"F8_600_columns", "a,b\n" + wide, Limits{}, 1,
			"wide.csv, sheet wide, row 2, column SS: columns exceeds the limit of 512 (found 600)"},
		{"F8_600_columns_trailing_empties_ok", "a,b\n" + strings.Repeat(",", 599) + "\n", Limits{}, 2, ""},
		{"F8_40000_character_cell", "a,b\n1,\"" + strings.Repeat("é", 40_000) + "\"\n", Limits{}, 1,
			"wide.csv, sheet wide, row 2, column B: cell length exceeds the limit of 32767 (found 40000)"},
		{"F8_rows", "a\n1\n2\n3\n4\n", Limits{MaxRows: 3}, 4,
			"wide.csv, sheet wide, row 5: rows exceeds the limit of 3"},
		{"F8_rows_count_data_rows", "a\n1\n2\n3\n", Limits{MaxRows: 3}, 4, ""},
		{"F8_line_longer_than_any_legal_row", "a\n" + strings.Repeat("y", 400), Limits{MaxColumns: 2, MaxCellLength: 10}, 1,
			"wide.csv, sheet wide, row 2, column A: cell length exceeds the limit of 10"},
		{"F8_line_of_delimiters", "a\n" + strings.Repeat(";", 400), Limits{MaxColumns: 2, MaxCellLength: 10}, 1,
			"wide.csv, sheet wide, row 2, column C: columns exceeds the limit of 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rows, err := readRows(t, []byte(tc.data), "wide.csv", tc.lim)
			if len(rows) != tc.wantRows {
				t.Errorf("rows before the error = %d, want %d", len(rows), tc.wantRows)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Rows.Err() = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("Rows.Err() = %v, want %q", err, tc.wantErr)
			}
			var lim *LimitError
			if !errors.As(err, &lim) {
				t.Errorf("Rows.Err() is %T, want *LimitError", err)
			}
		})
	}
}

// TestTextInfo checks the counts and sheet name of F3 for text and paste.
func TestTextInfo(t *testing.T) {
	b, err := openBytes([]byte("Title;;\n\na;b;c\n1;2;\n\n\n"), "uploads/2024/Export Mai.CSV", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Format: CSV, Encoding: "utf-8", Delimiter: ";",
		Sheets: []SheetInfo{{Name: "Export Mai", Rows: 4, Columns: 3}}}
	if diff := cmp.Diff(want, b.Info()); diff != "" {
		t.Errorf("Info mismatch (-want +got):\n%s", diff)
	}
	if _, err := b.Rows("Other"); err == nil {
		t.Error(`Rows("Other") error = nil, want sheet not found`)
	}
	paste, err := openBytes([]byte("email,name\na@example.com,Ann"), "Pasted text", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := paste.Info().Sheets[0].Name; got != "Pasted text" {
		t.Errorf("paste sheet name = %q, want %q", got, "Pasted text")
	}
}

// countingReaderAt counts the bytes read, to show how often a file is read.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestTextReadOnce checks that Open and a full read by Rows read the file
// once, and that Info then gives the same counts and encoding as when it
// is asked first (F2, F3), for a Windows-1252 byte far past the head too.
func TestTextReadOnce(t *testing.T) {
	var filler bytes.Buffer
	filler.WriteString("email,name\n\n")
	for filler.Len() < 3*detectHeadSize {
		filler.WriteString("someone@example.com,Someone\n")
	}
	headRows := strings.Count(filler.String(), "\n")
	tests := []struct {
		name     string
		data     string
		wantEnc  string
		wantLast []string
		wantCols int
	}{
		{"F2_utf8", filler.String() + "last@example.com,Zoë,x\n\n", "utf-8", []string{"last@example.com", "Zoë", "x"}, 3},
		{"F2_cp1252_late", filler.String() + "last@example.com,Ren\xE9e\n", "windows-1252", []string{"last@example.com", "Renée"}, 2},
		{"F2_cp1252_in_head", "a,b\nJos\xE9,\x80\n" + filler.String() + "last@example.com,Ren\xE9e\n", "windows-1252", []string{"last@example.com", "Renée"}, 2},
		{"F2_utf8_bom_late_invalid", "\xEF\xBB\xBF" + filler.String() + "last@example.com,Ren\xE9e\n", "utf-8", []string{"last@example.com", "Ren\uFFFDe"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			infoFirst, err := openBytes(data, "late.csv", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			want := infoFirst.Info()

			ra := &countingReaderAt{r: bytes.NewReader(data)}
			b, err := Open(ra, int64(len(data)), "late.csv", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := b.Rows("")
			if err != nil {
				t.Fatal(err)
			}
			var last []string
			lastNum := 0
			for rows.Next() {
				if !rows.Row().Blank() {
					last = append(last[:0], rows.Row().Cells...)
					lastNum = rows.Row().Number
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			got := b.Info()
			if ra.n > int64(len(data))+2*detectHeadSize {
				t.Errorf("Open, Rows and Info read %d bytes of a %d-byte file, want it read once (plus the head)", ra.n, len(data))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Info after a full read differs from Info first (-first +after):\n%s", diff)
			}
			if got.Encoding != tc.wantEnc || got.Sheets[0].Columns != tc.wantCols || got.Sheets[0].Rows < headRows {
				t.Errorf("Info = %+v, want encoding %s, %d columns", got, tc.wantEnc, tc.wantCols)
			}
			if got.Sheets[0].Rows != lastNum {
				t.Errorf("Info rows = %d, want %d (the last non-blank row)", got.Sheets[0].Rows, lastNum)
			}
			if diff := cmp.Diff(tc.wantLast, last); diff != "" {
				t.Errorf("last row (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidUTF8Head checks that a rune cut at the end of the head does not
// make a UTF-8 file Windows-1252.
func TestValidUTF8Head(t *testing.T) {
	tests := []struct {
		name  string
		head  string
		whole bool
		want  bool
	}{
		{"cut_two_byte_rune", "ab\xC3", false, true},
		{"cut_three_byte_rune", "ab\xE5\xB1", false, true},
		{"cut_rune_at_end_of_file", "ab\xC3", true, false},
		{"cp1252_byte", "Jos\xE9 x", false, false},
		{"ascii", "abc", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := validUTF8Head([]byte(tc.head), tc.whole); got != tc.want {
				t.Errorf("validUTF8Head(%q, %t) = %t, want %t", tc.head, tc.whole, got, tc.want)
			}
		})
	}
}
