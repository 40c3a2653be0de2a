package sheet

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"unsafe"
)

// sharedStrings is an XLSX shared-string table: the texts back to back in
// one string, and where each ends. An entry costs 4 bytes beside its text,
// against 16 for a string header and an allocation per entry; a table of
// millions of tiny strings (a hostile file) stays small, and the limits of
// F8 bound the rest.
type sharedStrings struct {
	text string
	ends []uint32
}

func (s *sharedStrings) len() int { return len(s.ends) }

func (s *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.text[start:s.ends[i]]
}

// loadStrings reads the shared-string table with the sheet tokenizer,
// stopping at the entry or byte limit (F8) with its own error.
func (b *xlsxBook) loadStrings() error {
	sc, rc, err := b.scan(b.sstPart)
	if err != nil {
		return b.partError("", 0, err)
	}
	defer rc.Close()
	maxCount := b.lim.MaxSharedStrings
	maxBytes := min(b.lim.MaxSharedStringsSize, math.MaxUint32)
	tooMany := func(actual int64) error {
		return &LimitError{File: b.name, Column: -1, What: "shared strings", Limit: int64(maxCount), Actual: actual}
	}
	var data []byte
	var ends []uint32
	inSI, inT, rph, start := false, false, 0, 0
	endSI := func() error {
		if len(ends) >= maxCount {
			return tooMany(0)
		}
		if seg := data[start:]; bytes.Contains(seg, []byte("_x")) {
			data = append(data[:start], decodeXString(seg)...) // a copy: safe to write over seg
		}
		ends = append(ends, uint32(len(data)))
		inSI = false
		return nil
	}
	for {
		err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return b.partError("", 0, fmt.Errorf("read shared strings: %w", err))
		}
		switch sc.kind {
		case xmlStart:
			switch string(sc.name) {
			case "sst":
				// A table that says it is too large is refused before it is read.
				if v, ok := sc.attr("uniqueCount"); ok {
					if n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64); err == nil && n >= 0 {
						if n > int64(maxCount) {
							return tooMany(n)
						}
						ends = make([]uint32, 0, min(n, 1<<20))
					}
				}
			case "si":
				inSI, start, rph = true, len(data), 0
				if sc.selfClosing {
					if err := endSI(); err != nil {
						return err
					}
				}
			case "t":
				inT = inSI && rph == 0 && !sc.selfClosing
			case "rPh": // phonetic guide: not shown in the cell
				if !sc.selfClosing {
					rph++
				}
			}
		case xmlEnd:
			switch string(sc.name) {
			case "si":
				if inSI {
					if err := endSI(); err != nil {
						return err
					}
				}
			case "t":
				inT = false
			case "rPh":
				rph--
			}
		case xmlText:
			if inT {
				data = appendXMLText(data, sc.text, sc.cdata)
				if int64(len(data)) > maxBytes {
					return &LimitError{File: b.name, Column: -1, What: "shared-string bytes", Limit: maxBytes}
				}
			}
		}
	}
	if len(data) > 0 {
		// data is never written again: the table's one string shares it.
		b.sst.text = unsafe.String(&data[0], len(data))
	}
	b.sst.ends = ends
	return nil
}
