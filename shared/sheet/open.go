package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
)

// detectHeadSize is how much of a file format detection looks at.
const detectHeadSize = 64 << 10

// formatNames names each format in errors, as a person knows it.
var formatNames = map[Format]string{
	CSV:  "delimited text (.csv)",
	XLSX: "Excel workbook (.xlsx)",
	XLS:  "Excel 97-2003 workbook (.xls)",
	XML:  "Excel 2003 XML spreadsheet (.xml)",
	JSON: "JSON document (.json)",
	ODS:  "OpenDocument spreadsheet (.ods)",
}

// Open detects the format of a file from its content (F1), the extension
// being only a hint, and opens it with that format's reader. A file whose
// content is not a supported format gets an *UnsupportedError naming what
// was found; one over a limit (F8) a *LimitError.
func Open(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	if size > lim.MaxFileSize {
		return nil, &LimitError{File: name, Column: -1, What: "file size", Limit: lim.MaxFileSize, Actual: size}
	}
	if size <= 0 {
		return nil, &ParseError{File: name, Column: -1, Err: errors.New("empty file")}
	}
	format, err := detect(ra, size, name)
	if err != nil {
		return nil, err
	}
	open, ok := openers[format]
	if !ok {
		return nil, &UnsupportedError{File: name, Detected: formatNames[format]}
	}
	return open(ra, size, name, lim)
}

// detect tells the format from the first bytes of the file and, for
// containers (zip, OLE2), from the names of the parts inside.
func detect(ra io.ReaderAt, size int64, name string) (Format, error) {
	head := make([]byte, min(size, detectHeadSize))
	if n, err := ra.ReadAt(head, 0); n < len(head) {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	unsupported := func(what string) (Format, error) {
		return "", &UnsupportedError{File: name, Detected: what}
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return detectZip(ra, size, name)
	case bytes.HasPrefix(head, oleSignature):
		return detectOLE(ra, name)
	}
	if what := detectSignature(head); what != "" {
		return unsupported(what)
	}

	enc, body := detectBOM(head)
	if len(body) == 0 {
		return "", &ParseError{File: name, Column: -1, Err: errors.New("empty file")}
	}
	text, what := detectHeadText(enc, body)
	if what != "" {
		return unsupported(what)
	}
	if what := detectOldText(text); what != "" {
		return unsupported(what)
	}
	trimmed := strings.TrimLeft(text, " \t\r\n")
	switch {
	case strings.HasPrefix(trimmed, "["), strings.HasPrefix(trimmed, "{"):
		return JSON, nil
	case strings.HasPrefix(trimmed, "<"):
		return detectXML(trimmed, name)
	}
	return CSV, nil
}

var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// detectSignature names the common non-spreadsheet files people upload by
// mistake, from their magic numbers.
func detectSignature(head []byte) string {
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case has("%PDF"):
		return "PDF document"
	case has("\x89PNG\r\n\x1a\n"):
		return "PNG image"
	case has("\xFF\xD8\xFF"):
		return "JPEG image"
	case has("GIF87a"), has("GIF89a"):
		return "GIF image"
	case len(head) >= 12 && has("RIFF") && string(head[8:12]) == "WEBP":
		return "WebP image"
	case has("\x1F\x8B"):
		return "gzip archive"
	case has("Rar!\x1A\x07"):
		return "RAR archive"
	case has("7z\xBC\xAF\x27\x1C"):
		return "7-Zip archive"
	case has("{\\rtf"):
		return "RTF document"
	}
	return biffName(head)
}

// biffName names the Excel formats before Excel 97 from the BOF record
// that starts a BIFF stream (a raw file up to Excel 4.0, the Book stream
// of a compound file from Excel 5.0); "" for BIFF8 and anything else.
func biffName(rec []byte) string {
	if len(rec) < 6 {
		return ""
	}
	typ, n := binary.LittleEndian.Uint16(rec), binary.LittleEndian.Uint16(rec[2:])
	switch {
	case typ == 0x0009 && n == 4:
		return "Excel 2.x workbook"
	case typ == 0x0209 && n == 6:
		return "Excel 3.0 workbook"
	case typ == 0x0409 && n == 6:
		return "Excel 4.0 workbook"
	case typ == 0x0809 && n >= 8 && binary.LittleEndian.Uint16(rec[4:]) == 0x0500:
		return "Excel 5.0/95 workbook"
	}
	return ""
}

// detectOldText names the text spreadsheet formats that are not delimited
// text: SYLK (a first record "ID;P…", then C;/F;/B;… records) and DIF
// (a TABLE header, then "0,1"). Read as CSV they would give garbage.
func detectOldText(text string) string {
	lines := strings.FieldsFunc(text[:min(len(text), 4096)], func(r rune) bool { return r == '\n' || r == '\r' })
	if len(lines) < 2 {
		return ""
	}
	if strings.HasPrefix(lines[0], "ID;P") {
		for _, l := range lines[1:] {
			if l == "E" || len(l) >= 2 && l[1] == ';' && strings.ContainsRune("BCFOPW", rune(l[0])) {
				return "SYLK file"
			}
		}
	}
	if strings.TrimSpace(lines[0]) == "TABLE" && strings.TrimSpace(lines[1]) == "0,1" {
		return "DIF file"
	}
	return ""
}

// textEncoding is a detected text encoding; its value is the name Info shows.
type textEncoding string

const (
	encUTF8    textEncoding = "utf-8"
	encUTF16LE textEncoding = "utf-16le"
	encUTF16BE textEncoding = "utf-16be"
	encCP1252  textEncoding = "windows-1252"
)

// detectBOM returns the encoding a byte-order mark announces (UTF-8 when
// there is none) and the bytes after the mark.
func detectBOM(b []byte) (textEncoding, []byte) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8, b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return encUTF16LE, b[2:]
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return encUTF16BE, b[2:]
	}
	return encUTF8, b
}

// detectHeadText decodes the head of a file as text. It returns what the
// bytes look like instead when they are not text: NUL bytes (outside
// BOM-marked UTF-16) or many control characters mean binary data.
func detectHeadText(enc textEncoding, body []byte) (text string, what string) {
	switch enc {
	case encUTF16LE, encUTF16BE:
		var order binary.ByteOrder = binary.LittleEndian
		if enc == encUTF16BE {
			order = binary.BigEndian
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			units[i] = order.Uint16(body[2*i:])
		}
		text = string(utf16Decode(units))
	default:
		if bytes.IndexByte(body, 0) >= 0 {
			if looksUTF16(body) {
				return "", "UTF-16 text without a byte-order mark"
			}
			return "", "binary data"
		}
		text = string(body)
	}
	controls, total := 0, 0
	for _, r := range text {
		total++
		if r == 0 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != 0x1A) || r == 0x7F {
			controls++
		}
	}
	// A few stray control characters happen in real exports; binary files
	// have them everywhere.
	if controls > 0 && controls*100 > total {
		return "", "binary data"
	}
	return text, ""
}

// looksUTF16 reports whether every other byte is NUL, as in UTF-16 text of
// Latin characters.
func looksUTF16(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	even, odd := 0, 0
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	return even*10 >= half*9 || odd*10 >= half*9
}

func utf16Decode(units []uint16) []rune {
	runes := make([]rune, 0, len(units))
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000:
			runes = append(runes, (rune(u)-0xD800)<<10+(rune(units[i+1])-0xDC00)+0x10000)
			i++
		case u >= 0xD800 && u < 0xE000:
			runes = append(runes, utf8.RuneError)
		default:
			runes = append(runes, rune(u))
		}
	}
	return runes
}

// detectXML accepts an Excel 2003 XML Spreadsheet: root Workbook in the
// spreadsheet namespace, after an optional declaration and processing
// instructions (<?mso-application progid="Excel.Sheet"?>).
func detectXML(text, name string) (Format, error) {
	lower := strings.ToLower(text[:min(len(text), 512)])
	if strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") ||
		strings.HasPrefix(lower, "<table") {
		// Web pages saved as .xls are common; they are not workbooks.
		return "", &UnsupportedError{File: name, Detected: "HTML document"}
	}
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = false
	// The head is already decoded, whatever the declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.Token()
		if err != nil {
			return "", &UnsupportedError{File: name, Detected: "XML document (not an Excel 2003 XML spreadsheet)"}
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local == "Workbook" && se.Name.Space == "urn:schemas-microsoft-com:office:spreadsheet" {
				return XML, nil
			}
			return "", &UnsupportedError{File: name, Detected: fmt.Sprintf("XML document (root element %s, not an Excel 2003 XML spreadsheet)", se.Name.Local)}
		}
	}
}

// detectZip tells an XLSX from the other zip-based documents by the names
// of their parts.
func detectZip(ra io.ReaderAt, size int64, name string) (Format, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return "", &ParseError{File: name, Column: -1, Err: fmt.Errorf("truncated or corrupt zip archive (workbook): %w", err)}
	}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		parts[strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))] = f
	}
	if parts["xl/workbook.xml"] != nil {
		return XLSX, nil
	}
	what := "zip archive"
	switch {
	case parts["xl/workbook.bin"] != nil:
		what = "Excel binary workbook (.xlsb)"
	case parts["word/document.xml"] != nil:
		what = "Word document (.docx)"
	case parts["ppt/presentation.xml"] != nil:
		what = "PowerPoint presentation (.pptx)"
	case parts["mimetype"] != nil:
		what = openDocumentKind(parts["mimetype"])
		if strings.HasPrefix(what, "OpenDocument spreadsheet") {
			return ODS, nil
		}
	case officeDocumentRoot(parts) == "workbook":
		return XLSX, nil // a workbook at another path than xl/
	case parts["content.xml"] != nil && manifestType(parts["meta-inf/manifest.xml"]) == "application/vnd.oasis.opendocument.spreadsheet":
		return ODS, nil // no mimetype part, which some writers leave out
	}
	return "", &UnsupportedError{File: name, Detected: what}
}

// officeDocumentRoot is the root element of the part the package's
// officeDocument relationship names ("workbook" for a spreadsheet), or "".
func officeDocumentRoot(parts map[string]*zip.File) string {
	firstStart := func(f *zip.File, each func(xml.StartElement) bool) {
		rc, err := f.Open()
		if err != nil {
			return
		}
		defer rc.Close()
		d := xml.NewDecoder(io.LimitReader(rc, 1<<20))
		d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
		for {
			tok, err := d.RawToken()
			if err != nil {
				return
			}
			if se, ok := tok.(xml.StartElement); ok && !each(se) {
				return
			}
		}
	}
	rels := parts["_rels/.rels"]
	if rels == nil {
		return ""
	}
	var target string
	firstStart(rels, func(se xml.StartElement) bool {
		if se.Name.Local != "Relationship" || !strings.HasSuffix(xmlAttr(se, "Type"), "/officeDocument") {
			return true
		}
		target = strings.ToLower(strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(xmlAttr(se, "Target"), `\`, "/")), "/"))
		return false
	})
	f := parts[target]
	if f == nil {
		return ""
	}
	root := ""
	firstStart(f, func(se xml.StartElement) bool { root = se.Name.Local; return false })
	return root
}

// manifestType is the media type an OpenDocument manifest gives the
// package itself (the entry of full-path "/"), or "".
func manifestType(f *zip.File) string {
	if f == nil {
		return ""
	}
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, 1<<20))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "file-entry" && xmlAttr(se, "full-path") == "/" {
			return xmlAttr(se, "media-type")
		}
	}
}

func openDocumentKind(f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		return "zip archive"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 128))
	switch mime := string(b); {
	case strings.HasPrefix(mime, "application/vnd.oasis.opendocument.spreadsheet"): // .ods, .ots
		return "OpenDocument spreadsheet (.ods)"
	case strings.HasPrefix(mime, "application/vnd.oasis.opendocument.text"):
		return "OpenDocument text (.odt)"
	case strings.HasPrefix(mime, "application/vnd.oasis.opendocument.presentation"):
		return "OpenDocument presentation (.odp)"
	case strings.HasPrefix(mime, "application/epub+zip"):
		return "EPUB book"
	}
	return "zip archive"
}

// detectOLE tells an Excel 97-2003 workbook from an encrypted OOXML package
// (which Office stores in an OLE2 compound file) and from other Office
// 97-2003 documents, by the names of the streams.
func detectOLE(ra io.ReaderAt, name string) (format Format, err error) {
	defer func() {
		// mscfb trusts sector numbers it reads; a hostile file must give an
		// error, not a crash.
		if r := recover(); r != nil {
			format, err = "", &ParseError{File: name, Column: -1, Err: fmt.Errorf("corrupt compound file: %v", r)}
		}
	}()
	doc, err := mscfb.New(ra)
	if err != nil {
		return "", &ParseError{File: name, Column: -1, Err: fmt.Errorf("corrupt compound file: %w", err)}
	}
	streams := map[string]*mscfb.File{}
	for f, err := doc.Next(); err == nil; f, err = doc.Next() {
		if len(f.Path) == 0 { // top-level streams only
			streams[f.Name] = f
		}
	}
	switch {
	case streams["EncryptionInfo"] != nil || streams["EncryptedPackage"] != nil:
		return "", &UnsupportedError{File: name, Detected: "password-protected workbook"}
	case streams["Workbook"] != nil || streams["Book"] != nil:
		wb := streams["Workbook"]
		if wb == nil {
			wb = streams["Book"]
		}
		old, encrypted := biffInspect(wb)
		switch {
		case old != "":
			return "", &UnsupportedError{File: name, Detected: old}
		case encrypted:
			return "", &UnsupportedError{File: name, Detected: "password-protected workbook"}
		}
		return XLS, nil
	case streams["WordDocument"] != nil:
		return "", &UnsupportedError{File: name, Detected: "Word 97-2003 document (.doc)"}
	case streams["PowerPoint Document"] != nil:
		return "", &UnsupportedError{File: name, Detected: "PowerPoint 97-2003 presentation (.ppt)"}
	}
	return "", &UnsupportedError{File: name, Detected: "Office compound file (not a workbook)"}
}

// biffInspect reads the first records of a BIFF workbook stream: old
// names a format before Excel 97 (from the BOF record); encrypted is set
// by a FILEPASS record: the workbook needs a password to open.
func biffInspect(r io.Reader) (old string, encrypted bool) {
	const filePass = 0x002F
	var rec [8]byte
	for i := range 32 {
		if _, err := io.ReadFull(r, rec[:4]); err != nil {
			return "", false
		}
		typ, n := binary.LittleEndian.Uint16(rec[:]), binary.LittleEndian.Uint16(rec[2:])
		if typ == filePass {
			return "", true
		}
		skip := int64(n)
		if i == 0 && n >= 4 {
			if _, err := io.ReadFull(r, rec[4:]); err != nil {
				return "", false
			}
			if old := biffName(rec[:]); old != "" {
				return old, false
			}
			skip -= 4
		}
		if _, err := io.CopyN(io.Discard, r, skip); err != nil {
			return "", false
		}
	}
	return "", false
}

// baseName is a file name without directories and extension: the name of
// the one sheet of a text file.
func baseName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if ext := path.Ext(name); ext != "" && ext != name {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}
