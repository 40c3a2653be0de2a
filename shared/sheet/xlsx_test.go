package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// excelizeBytes builds a workbook with excelize and returns its bytes.
func excelizeBytes(t *testing.T, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestXLSXDisplay checks that cells show as a person sees them (F3): dates
// from built-in and custom formats, numbers without float noise, booleans,
// text with leading zeros, formulas without a cached value.
func TestXLSXDisplay(t *testing.T) {
	type cell struct {
		name   string
		value  any
		numFmt int    // built-in format id, 0 for none
		custom string // custom format code
		want   string
	}
	cells := []cell{
		{"float_noise", 0.1 + 0.2, 0, "", "0.3"},
		{"float_noise_large", 1234567.1 + 0.2, 0, "", "1234567.3"},
		{"integer_14_digits", 12345678901234, 0, "", "12345678901234"},
		{"negative", -3.25, 0, "", "-3.25"},
		{"tiny", 0.000123, 0, "", "0.000123"},
		{"leading_zero_text", "00123", 0, "", "00123"},
		{"bool_true", true, 0, "", "TRUE"},
		{"bool_false", false, 0, "", "FALSE"},
		{"builtin_14_date_leap_day", 45351.0, 14, "", "2024-02-29"},
		{"builtin_22_datetime", 45351.75, 22, "", "2024-02-29 18:00:00"},
		{"builtin_21_time", 0.5104166666666666, 21, "", "12:15:00"},
		{"builtin_45_mmss", 0.0006944444444444445, 45, "", "00:01:00"},
		{"builtin_46_elapsed", 1.5, 46, "", "36:00:00"},
		{"builtin_10_percent", 0.125, 10, "", "12.50%"},
		{"builtin_9_percent_half_up", 0.125, 9, "", "13%"},
		{"custom_dd_mm_yyyy", 45306.0, 0, "dd/mm/yyyy", "2024-01-15"},
		{"custom_mmm_yy", 45306.0, 0, "mmm-yy", "2024-01-15"},
		{"custom_datetime_escaped", 45306.3958333333, 0, `yyyy\-mm\-dd\ hh:mm`, "2024-01-15 09:30:00"},
		{"custom_time_ampm", 0.75, 0, "h:mm AM/PM", "18:00:00"},
		{"custom_minutes_not_months", 0.5, 0, "[h]:mm", "12:00:00"},
		{"custom_quoted_letters_not_date", 12.0, 0, `0" days"`, "12"},
		{"custom_color_not_date", 87.5, 0, "[Red]0.00", "87.5"},
		{"custom_currency_raw", 1234.5, 0, `#,##0.00 [$€-407]`, "1234.5"},
		{"text_format_number", 42.0, 49, "", "42"},
		{"date_before_1900_03_01", 59.0, 14, "", "1900-02-28"},
		{"date_negative_shows_number", -1.0, 14, "", "-1"},
		{"date_datetime_rounds_to_second", 45306.99999999, 22, "", "2024-01-16 00:00:00"},
	}
	data := excelizeBytes(t, func(f *excelize.File) {
		for i, c := range cells {
			ref, _ := excelize.CoordinatesToCellName(1, i+1)
			must(t, f.SetCellValue("Sheet1", ref, c.value))
			if c.numFmt != 0 || c.custom != "" {
				style := &excelize.Style{NumFmt: c.numFmt}
				if c.custom != "" {
					style.CustomNumFmt = &c.custom
				}
				id, err := f.NewStyle(style)
				must(t, err)
				must(t, f.SetCellStyle("Sheet1", ref, ref, id))
			}
		}
		must(t, f.SetCellFormula("Sheet1", "B1", "A1*2")) // no cached value
		must(t, f.SetCellValue("Sheet1", "C1", "after formula"))
	})
	_, rows, err := readRows(t, data, "display.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cells) {
		t.Fatalf("rows = %d, want %d", len(rows), len(cells))
	}
	for i, c := range cells {
		t.Run(c.name, func(t *testing.T) {
			if got := rows[i].Cells[0]; got != c.want {
				t.Errorf("cell A%d (%v) = %q, want %q", i+1, c.value, got, c.want)
			}
		})
	}
	if diff := cmp.Diff([]string{"0.3", "", "after formula"}, rows[0].Cells); diff != "" {
		t.Errorf("row 1 with an uncached formula (-want +got):\n%s", diff)
	}
}

// rawXLSX builds a workbook by hand, for what excelize does not write:
// inline strings, rich text, t="d", the 1904 system, odd references.
type rawXLSX struct {
	workbook string            // <sheets> content and more, inside <workbook>
	rels     string            // extra relationships
	sst      string            // <si> elements; no sharedStrings part when ""
	styles   string            // inside <styleSheet>
	sheets   map[string]string // part name → sheet XML content inside <worksheet>
}

func (r rawXLSX) bytes(t testing.TB) []byte {
	t.Helper()
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	const relNS = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	rels := r.rels + `<Relationship Id="rIdS" Type="` + relNS + `/styles" Target="styles.xml"/>`
	parts := [][2]string{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"xl/workbook.xml", `<workbook ` + ns + `>` + r.workbook + `</workbook>`},
		{"xl/styles.xml", `<styleSheet ` + ns + `>` + r.styles + `</styleSheet>`},
	}
	if r.sst != "" {
		rels += `<Relationship Id="rIdT" Type="` + relNS + `/sharedStrings" Target="/xl/sharedStrings.xml"/>`
		parts = append(parts, [2]string{"xl/sharedStrings.xml", `<sst ` + ns + `>` + r.sst + `</sst>`})
	}
	parts = append(parts, [2]string{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`})
	for _, name := range slices.Sorted(maps.Keys(r.sheets)) { // the same bytes every run
		parts = append(parts, [2]string{name, `<worksheet ` + ns + `>` + r.sheets[name] + `</worksheet>`})
	}
	return buildZip(t, parts...)
}

func sheetRel(id, target string) string {
	return `<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="` + target + `"/>`
}

// TestXLSXRawCases checks cell kinds and layouts other writers produce.
func TestXLSXRawCases(t *testing.T) {
	book := rawXLSX{
		workbook: `<workbookPr date1904="1"/><sheets>` +
			`<sheet name="Data" sheetId="1" r:id="rId1"/>` +
			`<sheet name="Chart" sheetId="2" r:id="rId2"/>` +
			`<sheet name="Secret" sheetId="3" state="veryHidden" r:id="rId3"/></sheets>`,
		rels: sheetRel("rId1", "worksheets/sheet1.xml") +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>` +
			sheetRel("rId3", "/xl/worksheets/sheet3.xml"),
		sst: `<si><t>plain</t></si>` +
			`<si><r><rPr><b/></rPr><t>Rich </t></r><r><t xml:space="preserve">text </t></r><rPh sb="0" eb="1"><t>フリガナ</t></rPh></si>` +
			`<si><t>a &amp; b</t></si>`,
		styles: `<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>` +
			`<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>` +
			`<dxfs><dxf><numFmt numFmtId="165" formatCode="0.00%"/></dxf></dxfs>`,
		sheets: map[string]string{
			// No dimension: the reader scans. Rows and cells without r,
			// inline and rich strings, an ISO date cell, an error value.
			"xl/worksheets/sheet1.xml": `<sheetData>` +
				`<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>` +
				`<row r="3"><c r="B3" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="D3" t="e"><v>#DIV/0!</v></c></row>` +
				`<row r="4" spans="1:3" ht="20" customHeight="1"/>` +
				`<row r="5"><c r="A5" s="1"><v>0</v></c><c r="B5" t="d"><v>2024-01-15T09:30:00Z</v></c><c r="C5" t="d" s="1"><v>2024-01-15T00:00:00</v></c></row>` +
				`<row r="6"><c r="A6" t="s"><v>99</v></c><c r="B6"><v>1</v></c></row>` +
				`<row r="7"><c r="C7" t="str"><f>A1</f><v>cached</v></c></row>` +
				`</sheetData>`,
			"xl/worksheets/sheet3.xml": `<dimension ref="B2:C4"/><sheetData><row r="2"><c r="B2" t="s"><v>0</v></c></row></sheetData>`,
		},
	}
	b, err := openBytes(book.bytes(t), "raw.xlsx", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	wantInfo := Info{Format: XLSX, Sheets: []SheetInfo{
		{Name: "Data", Rows: 7, Columns: 4},
		{Name: "Secret", Hidden: true, Rows: 4, Columns: 3},
	}}
	if diff := cmp.Diff(wantInfo, b.Info()); diff != "" {
		t.Errorf("Info mismatch (-want +got):\n%s", diff)
	}
	got := readAll(t, b)
	want := []goldenRow{
		{Number: 1, Cells: []string{"plain", "Rich text ", "a & b"}},
		{Number: 3, Cells: []string{"", "inline", "", "#DIV/0!"}},
		{Number: 5, Cells: []string{"1904-01-01", "2024-01-15 09:30:00", "2024-01-15"}},
		{Number: 6, Cells: []string{"", "1"}, Err: `raw.xlsx, sheet Data, row 6, column A: shared string "99" does not exist`},
		{Number: 7, Cells: []string{"", "", "cached"}},
	}
	if diff := cmp.Diff(want, got.Sheets[0].Rows); diff != "" {
		t.Errorf("rows of Data mismatch (-want +got):\n%s", diff)
	}
	if got.Sheets[0].Err != "" {
		t.Errorf("Data error = %s", got.Sheets[0].Err)
	}
}

// TestXLSXListsFromHeadOnly checks that Open lists a sheet from its
// <dimension> without reading the rows (F3): the rows here are corrupt,
// which only Rows reports, naming the file and sheet.
func TestXLSXListsFromHeadOnly(t *testing.T) {
	book := rawXLSX{
		workbook: `<sheets><sheet name="Big" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		sheets: map[string]string{
			"xl/worksheets/sheet1.xml": `<dimension ref="A1:H200000"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c <<<`,
		},
	}
	b, err := openBytes(book.bytes(t), "big.xlsx", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if diff := cmp.Diff([]SheetInfo{{Name: "Big", Rows: 200000, Columns: 8}}, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets mismatch (-want +got):\n%s", diff)
	}
	rows, err := Preview(b, "Big", 20)
	if err == nil {
		t.Fatal("Preview error = nil, want the corrupt row reported")
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "big.xlsx" || pe.Sheet != "Big" || pe.Row != 2 {
		t.Errorf("Preview error = %#v, want a *ParseError for big.xlsx, sheet Big, row 2", err)
	}
	if len(rows) != 1 || rows[0].Cells[0] != "1" {
		t.Errorf("Preview rows = %+v, want row 1 before the error", rows)
	}
}

// TestXLSXCorrupt checks a sheet cut short and a damaged compressed part:
// each gives a clear error naming the file and sheet.
func TestXLSXCorrupt(t *testing.T) {
	cut := rawXLSX{
		workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		sheets:   map[string]string{"xl/worksheets/sheet1.xml": `<dimension ref="A1:A2"/><sheetData><row r="1"><c><v>1</v></c></row>`},
	}
	b, err := openBytes(cut.bytes(t), "cut.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, b)
	if want := "cut.xlsx, sheet S, row 1: sheet ends in the middle of its data (truncated file?)"; got.Sheets[0].Err != want {
		t.Errorf("cut sheet error = %q, want %q", got.Sheets[0].Err, want)
	}

	// A stray end tag (found by fuzzing: it once indexed column -1).
	stray := rawXLSX{
		workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		sheets:   map[string]string{"xl/worksheets/sheet1.xml": `<sheetData><row r="1"></c><c r="B1"><v>2</v></c></row></sheetData>`},
	}
	b, err = openBytes(stray.bytes(t), "stray.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got = readAll(t, b)
	if diff := cmp.Diff([]goldenRow{{Number: 1, Cells: []string{"", "2"}}}, got.Sheets[0].Rows); diff != "" || got.Sheets[0].Err != "" {
		t.Errorf("stray end tag: rows (-want +got):\n%s; error %q", diff, got.Sheets[0].Err)
	}

	// Flip bytes in the middle of the compressed sheet of the fixture.
	data := readFixture(t, "features_lo.xlsx")
	i := bytes.Index(data, []byte("xl/worksheets/sheet1.xml"))
	damaged := append([]byte{}, data...)
	for j := i + 200; j < i+260; j++ {
		damaged[j] ^= 0x5A
	}
	b, err = openBytes(damaged, "damaged.xlsx", Limits{})
	if err != nil {
		// The head with the dimension may be the damaged part.
		if !strings.HasPrefix(err.Error(), "damaged.xlsx") {
			t.Fatalf("Open error %q does not name the file", err)
		}
		return
	}
	got = readAll(t, b)
	if !strings.HasPrefix(got.Sheets[0].Err, "damaged.xlsx, sheet People") {
		t.Errorf("damaged sheet error = %q, want one naming damaged.xlsx, sheet People", got.Sheets[0].Err)
	}
}

// TestXLSXLimits checks the limits of F8 on workbooks.
func TestXLSXLimits(t *testing.T) {
	wide := excelizeBytes(t, func(f *excelize.File) {
		must(t, f.SetCellValue("Sheet1", "A1", "email"))
		must(t, f.SetCellValue("Sheet1", "WB2", "far right")) // column 600
	})
	long := rawXLSX{
		workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		sheets: map[string]string{"xl/worksheets/sheet1.xml": `<dimension ref="A1:B2"/><sheetData><row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>` +
			`<row r="2"><c r="B2" t="inlineStr"><is><t>` + strings.Repeat("ü", 40_000) + `</t></is></c></row></sheetData>`},
	}
	tall := excelizeBytes(t, func(f *excelize.File) {
		for r := 1; r <= 4; r++ {
			ref, _ := excelize.CoordinatesToCellName(1, r)
			must(t, f.SetCellValue("Sheet1", ref, r))
		}
	})
	tests := []struct {
		name     string
		data     []byte
		lim      Limits
		wantRows int
		wantErr  string
	}{
		{"F8_600_columns", wide, Limits{}, 1, "limits.xlsx, sheet Sheet1, row 2, column WB: columns exceeds the limit of 512 (found 600)"},
		{"F8_40000_character_cell", long.bytes(t), Limits{}, 1, "limits.xlsx, sheet S, row 2, column B: cell length exceeds the limit of 32767"},
		{"F8_rows", tall, Limits{MaxRows: 2}, 3, "limits.xlsx, sheet Sheet1, row 4: rows exceeds the limit of 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rows, err := readRows(t, tc.data, "limits.xlsx", tc.lim)
			if len(rows) != tc.wantRows {
				t.Errorf("rows before the error = %d, want %d", len(rows), tc.wantRows)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Fatalf("Rows.Err() = %v, want prefix %q", err, tc.wantErr)
			}
			if !errors.Is(err, ErrLimit) {
				t.Errorf("Rows.Err() %v does not wrap ErrLimit", err)
			}
		})
	}

	t.Run("F8_decompressed_size_central_directory", func(t *testing.T) {
		data := readFixture(t, "features.xlsx")
		_, err := openBytes(data, "bomb.xlsx", Limits{MaxUnzippedSize: 10_000})
		if err == nil || !strings.HasPrefix(err.Error(), "bomb.xlsx: decompressed size exceeds the limit of 10000") {
			t.Fatalf("Open error = %v, want the decompressed size limit", err)
		}
	})
	t.Run("F8_decompressed_size_bytes_read", func(t *testing.T) {
		c := &unzipCounter{r: strings.NewReader(strings.Repeat("x", 100)), limit: 50, file: "bomb.xlsx"}
		var buf [30]byte
		var err error
		for err == nil {
			_, err = c.Read(buf[:])
		}
		if !errors.Is(err, ErrLimit) {
			t.Errorf("reading past the limit: error = %v, want a limit error", err)
		}
	})
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		code string
		want numFormat
	}{
		{"General", numFormat{}},
		{"@", numFormat{}},
		{"0.00", numFormat{}},
		{"#,##0.00 [$€-407]", numFormat{}},
		{`0" days"`, numFormat{}},
		{`"Date: "0`, numFormat{}},
		{"0.00E+00", numFormat{}},
		{"yyyy-mm-dd", numFormat{kind: kindDate}},
		{"d-mmm-yy", numFormat{kind: kindDate}},
		{"[$-409]mmmm d, yyyy;@", numFormat{kind: kindDate}},
		{`yyyy"年"m"月"d"日"`, numFormat{kind: kindDate}},
		{"m/d/yyyy h:mm", numFormat{kind: kindDateTime}},
		{`yyyy\-mm\-dd\ hh:mm`, numFormat{kind: kindDateTime}},
		{"h:mm:ss", numFormat{kind: kindTime}},
		{"mm:ss", numFormat{kind: kindTime}},
		{"h:mm AM/PM", numFormat{kind: kindTime}},
		{"[h]:mm:ss", numFormat{kind: kindTime, elapsed: true}},
		{"[mm]:ss", numFormat{kind: kindTime}},
		// Excel refuses an elapsed unit below another time unit: the cell
		// shows its number.
		{"HH[M]", numFormat{}},
		{"h:[mm]", numFormat{}},
		{"[h]:[mm]", numFormat{}},
		{"ss[h]", numFormat{}},
		{"[Red][h]:mm", numFormat{kind: kindTime, elapsed: true}},
		{"0%", numFormat{kind: kindPercent}},
		{"0.000%", numFormat{kind: kindPercent, decimals: 3}},
		{"[Red]0.0%;[Blue]-0.0%", numFormat{kind: kindPercent, decimals: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := classifyFormat(tc.code); got != tc.want {
				t.Errorf("classifyFormat(%q) = %+v, want %+v", tc.code, got, tc.want)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"42", "42"},
		{"87.5", "87.5"},
		{"0.30000000000000004", "0.3"},
		{"1.50", "1.5"},
		{"00123", "123"},
		{"12345678901", "12345678901"},
		{"123456789012345", "123456789012345"},
		{"1234567890123456", "1.23456789012346E+15"},
		{"1.23E+020", "1.23E+20"},
		{"1E-10", "1E-10"},
		{"45306.395833333336", "45306.3958333333"},
		{"not a number", "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			if got := formatNumber(tc.raw); got != tc.want {
				t.Errorf("formatNumber(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

// TestXLSXUnknownCounts checks a sheet whose dimension is missing or the
// placeholder "A1": a small one is counted at Open; one larger than Open
// reads lists with unknown counts (-1), previews, and has its counts once
// a full read has seen them (F3, DESIGN §7).
func TestXLSXUnknownCounts(t *testing.T) {
	var big strings.Builder
	big.WriteString(`<sheetData>`)
	rows := 0
	for big.Len() < 2*dimensionScanBudget {
		rows++
		fmt.Fprintf(&big, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>person%d@example.com</t></is></c><c r="C%d"><v>%d</v></c></row>`, rows, rows, rows, rows, rows)
	}
	big.WriteString(`<row r="` + strconv.Itoa(rows+5) + `"/></sheetData>`)
	book := rawXLSX{
		workbook: `<sheets><sheet name="Big" sheetId="1" r:id="rId1"/><sheet name="Small" sheetId="2" r:id="rId2"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml") + sheetRel("rId2", "worksheets/sheet2.xml"),
		sheets: map[string]string{
			"xl/worksheets/sheet1.xml": `<dimension ref="A1"/>` + big.String(),
			"xl/worksheets/sheet2.xml": `<dimension ref="A1"/><sheetData><row r="2"><c r="B2"><v>1</v></c></row></sheetData>`,
		},
	}
	b, err := openBytes(book.bytes(t), "unknown.xlsx", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := []SheetInfo{{Name: "Big", Rows: -1, Columns: -1}, {Name: "Small", Rows: 2, Columns: 2}}
	if diff := cmp.Diff(want, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets at Open mismatch (-want +got):\n%s", diff)
	}
	preview, err := Preview(b, "Big", 20)
	if err != nil || len(preview) != 20 {
		t.Fatalf("Preview = %d rows, %v; want 20 rows", len(preview), err)
	}
	if diff := cmp.Diff(want, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets after a preview mismatch (-want +got):\n%s", diff)
	}
	got := readAll(t, b)
	if n := len(got.Sheets[0].Rows); n != rows {
		t.Fatalf("read %d rows, want %d", n, rows)
	}
	want[0].Rows, want[0].Columns = rows, 3
	if diff := cmp.Diff(want, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets after a full read mismatch (-want +got):\n%s", diff)
	}
}
