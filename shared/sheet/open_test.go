package sheet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func openBytes(data []byte, name string, lim Limits) (Book, error) {
	return Open(bytes.NewReader(data), int64(len(data)), name, lim)
}

// TestDetect checks that the format comes from the content, the extension
// being only a hint (F1).
func TestDetect(t *testing.T) {
	xlsx := readFixture(t, "features.xlsx")
	tests := []struct {
		name string
		file string
		data []byte
		want Format
	}{
		{"F1_xlsx", "people.xlsx", xlsx, XLSX},
		{"F1_xlsx_named_csv_content_wins", "people.csv", xlsx, XLSX},
		{"F1_csv_named_xlsx_content_wins", "people.xlsx", []byte("email,name\na@example.com,Ann\n"), CSV},
		{"F1_xls", "features.xls", readFixture(t, "features.xls"), XLS},
		{"F1_xls_built", "old.xls", buildCFB(t, cfbStream{"Workbook", biffRecords([2]uint16{0x0809, 16}, [2]uint16{0x00E1, 2})}), XLS},
		{"F1_xml_2003", "book.xml", []byte(`<?xml version="1.0"?>` + "\n" + `<?mso-application progid="Excel.Sheet"?>` +
			`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="A"/></Workbook>`), XML},
		{"F1_xml_2003_prefixed_bom", "book.xml", []byte("\xEF\xBB\xBF<ss:Workbook xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"></ss:Workbook>"), XML},
		{"F1_json_array", "people.json", []byte("  [{\"email\":\"a@example.com\"}]"), JSON},
		{"F1_json_object_bom", "people.json", []byte("\xEF\xBB\xBF{\"rows\":[]}"), JSON},
		{"F1_text_tab", "export.txt", []byte("a\tb\n1\t2\n"), CSV},
		{"F2_utf16le_bom", "unicode.txt", readFixture(t, "unicode_text_utf16le.txt"), CSV},
		{"F5_paste_one_line", "Pasted text", []byte("email"), CSV},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := detect(bytes.NewReader(tc.data), int64(len(tc.data)), tc.file)
			if err != nil {
				t.Fatalf("detect(%s) error: %v", tc.file, err)
			}
			if got != tc.want {
				t.Errorf("detect(%s) = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}

// TestOpenBadInput checks that every bad file gets a clear error naming the
// file and what was found (F1, F8).
func TestOpenBadInput(t *testing.T) {
	// A tiny PNG header, a PDF, a JPEG: common mistakes.
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	xlsx := readFixture(t, "features.xlsx")
	tests := []struct {
		name     string
		file     string
		data     []byte
		wantType any // *UnsupportedError, *ParseError or *LimitError
		wantMsg  string
	}{
		{"empty_file", "empty.csv", nil, &ParseError{}, "empty.csv: empty file"},
		{"bom_only", "bom.csv", []byte("\xEF\xBB\xBF"), &ParseError{}, "bom.csv: empty file"},
		{"F1_binary_named_csv", "data.csv", binary, &UnsupportedError{}, "data.csv: unsupported format: binary data"},
		{"F1_utf16_without_bom", "data.csv", []byte("e\x00m\x00a\x00i\x00l\x00\n\x00"), &UnsupportedError{}, "data.csv: unsupported format: UTF-16 text without a byte-order mark"},
		{"F1_pdf", "people.xlsx", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"), &UnsupportedError{}, "people.xlsx: unsupported format: PDF document"},
		{"F1_png", "people.csv", png, &UnsupportedError{}, "people.csv: unsupported format: PNG image"},
		{"F1_jpeg", "people.csv", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), &UnsupportedError{}, "people.csv: unsupported format: JPEG image"},
		{"F1_gif", "people.csv", []byte("GIF89a\x01\x00\x01\x00"), &UnsupportedError{}, "people.csv: unsupported format: GIF image"},
		{"F1_webp", "people.csv", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), &UnsupportedError{}, "people.csv: unsupported format: WebP image"},
		{"F1_rtf", "people.csv", []byte(`{\rtf1\ansi hello}`), &UnsupportedError{}, "people.csv: unsupported format: RTF document"},
		{"F1_html_saved_as_xls", "report.xls", []byte("<!DOCTYPE html><html><table><tr><td>a</td></tr></table></html>"), &UnsupportedError{}, "report.xls: unsupported format: HTML document"},
		{"F1_other_xml", "feed.xml", []byte(`<?xml version="1.0"?><rss version="2.0"></rss>`), &UnsupportedError{},
			"feed.xml: unsupported format: XML document (root element rss, not an Excel 2003 XML spreadsheet)"},
		{"F1_docx", "people.xlsx", buildZip(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w:document/>"}),
			&UnsupportedError{}, "people.xlsx: unsupported format: Word document (.docx)"},
		{"F1_odt", "people.ods", buildZip(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"}, [2]string{"content.xml", "<x/>"}),
			&UnsupportedError{}, "people.ods: unsupported format: OpenDocument text (.odt)"},
		{"F1_zip_not_workbook", "people.xlsx", buildZip(t, [2]string{"people.csv", "a,b\n"}), &UnsupportedError{}, "people.xlsx: unsupported format: zip archive"},
		{"F1_xlsb", "people.xlsb", buildZip(t, [2]string{"xl/workbook.bin", "\x00"}), &UnsupportedError{}, "people.xlsb: unsupported format: Excel binary workbook (.xlsb)"},
		{"F1_encrypted_ooxml", "secret.xlsx", buildCFB(t, cfbStream{"EncryptionInfo", []byte{4, 0, 4, 0}}, cfbStream{"EncryptedPackage", []byte{1}}),
			&UnsupportedError{}, "secret.xlsx: unsupported format: password-protected workbook"},
		{"F1_encrypted_xls_filepass", "secret.xls", buildCFB(t, cfbStream{"Workbook", biffRecords([2]uint16{0x0809, 16}, [2]uint16{0x002F, 54})}),
			&UnsupportedError{}, "secret.xls: unsupported format: password-protected workbook"},
		{"F1_word_97", "people.xls", buildCFB(t, cfbStream{"WordDocument", []byte{0xEC, 0xA5}}), &UnsupportedError{}, "people.xls: unsupported format: Word 97-2003 document (.doc)"},
		{"F1_corrupt_compound_file", "people.xls", append(append([]byte{}, oleSignature...), make([]byte, 100)...), &ParseError{}, "people.xls: corrupt compound file"},
		{"F1_truncated_xlsx", "people.xlsx", xlsx[:len(xlsx)/2], &ParseError{}, "people.xlsx: truncated or corrupt zip archive (workbook)"},
		{"F8_file_size", "big.csv", []byte("a,b,c\n1,2,3\n"), &LimitError{}, "big.csv: file size exceeds the limit of 8 (found 12)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := Limits{}
			if tc.name == "F8_file_size" {
				lim.MaxFileSize = 8
			}
			b, err := openBytes(tc.data, tc.file, lim)
			if err == nil {
				b.Close()
				t.Fatalf("Open(%s) error = nil, want %q", tc.file, tc.wantMsg)
			}
			if !strings.HasPrefix(err.Error(), tc.wantMsg) {
				t.Errorf("Open(%s) error = %q, want prefix %q", tc.file, err, tc.wantMsg)
			}
			if !sameErrorType(err, tc.wantType) {
				t.Errorf("Open(%s) error type = %T, want %T", tc.file, err, tc.wantType)
			}
		})
	}
}

func sameErrorType(err error, want any) bool {
	switch want.(type) {
	case *UnsupportedError:
		var e *UnsupportedError
		return errors.As(err, &e) && errors.Is(err, ErrUnsupported)
	case *ParseError:
		var e *ParseError
		return errors.As(err, &e)
	case *LimitError:
		var e *LimitError
		return errors.As(err, &e) && errors.Is(err, ErrLimit)
	}
	return false
}

// TestOpenNoReaderRegistered checks that a detected format whose reader is
// missing is reported as unsupported, naming the format (F1).
func TestOpenNoReaderRegistered(t *testing.T) {
	saved, had := openers[XLS]
	delete(openers, XLS)
	t.Cleanup(func() {
		if had {
			openers[XLS] = saved
		}
	})
	data := readFixture(t, "features.xls")
	_, err := openBytes(data, "features.xls", Limits{})
	want := "features.xls: unsupported format: Excel 97-2003 workbook (.xls)"
	if err == nil || err.Error() != want {
		t.Fatalf("Open(features.xls) error = %v, want %q", err, want)
	}
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("Open(features.xls) error %v does not wrap ErrUnsupported", err)
	}
}

// TestPreview checks the first rows of a sheet with their numbers (F3),
// copied so later reads do not change them.
func TestPreview(t *testing.T) {
	b, err := openBytes(readFixture(t, "features_lo.xlsx"), "features_lo.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Preview(b, "People", 3)
	if err != nil {
		t.Fatalf("Preview: %v", err)
	}
	want := []Row{
		{Number: 1, Cells: []string{"Participant import – Q3 2024"}},
		{Number: 3, Cells: []string{"Email", "External ID", "First name", "Last name", "Status", "Joined", "Score", "Active", "Notes", "Score x2", "Birthdate", "Full name"}},
		{Number: 4, Cells: []string{"jose.garcia@example.com", "00123", "José", "García", "active", "2024-01-15 09:30:00", "87.5", "TRUE", "Café crème", "175", "1990-05-31", "José García"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Preview(People, 3) mismatch (-want +got):\n%s", diff)
	}
	if _, err := Preview(b, "Nope", 3); err == nil || !strings.Contains(err.Error(), `sheet "Nope" not found`) {
		t.Errorf("Preview(Nope) error = %v, want sheet not found", err)
	}

	text, err := openBytes([]byte("a,b\n\"x\"y,z\nc,d\n"), "Pasted text", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err = Preview(text, "", 20)
	if err != nil {
		t.Fatalf("Preview(text): %v", err)
	}
	if len(got) != 3 || got[1].Err == nil || got[2].Cells[0] != "c" {
		t.Errorf("Preview(text) = %+v, want 3 rows with an error on row 2", got)
	}
}
