package sheet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// cellNumber shows a number as a spreadsheet does: 15 significant digits,
// no float noise, plain decimals for ordinary magnitudes (F3).
func cellNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "#NUM!"
	}
	if v == 0 {
		return "0"
	}
	// Rounding to 15 digits first drops the noise (0.1+0.2 → 0.3); the
	// shortest form of the rounded value then has no trailing zeros.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if a := math.Abs(r); a < 1e-9 || a >= 1e21 {
		return strconv.FormatFloat(r, 'E', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// cellDateKind says how a number format shows a serial number.
type cellDateKind uint8

const (
	cellNotDate     cellDateKind = iota
	cellDate                     // a calendar date, maybe with a time
	cellTimeOfDay                // h:mm:ss without a date part
	cellElapsedTime              // [h]:mm:ss, hours may pass 24
)

// cellBuiltinDateFormat classifies the built-in number formats of BIFF and
// OOXML by id: 14–22 and 45–47 everywhere, 27–36 and 50–58 in East Asian
// locales.
func cellBuiltinDateFormat(id int) cellDateKind {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return cellDate
	case id >= 18 && id <= 21, id == 45, id == 47:
		return cellTimeOfDay
	case id == 46:
		return cellElapsedTime
	}
	return cellNotDate
}

// cellFormatDateKind classifies a custom number format string: it is a date
// when its first section has d, m, y, h or s outside quotes, escapes and
// brackets ([h], [mm], [ss] count as elapsed time; [Red], [$€-407] do not).
func cellFormatDateKind(format string) cellDateKind {
	var dayOrYear, monthOrMinute, hourOrSecond, elapsed bool
	for i := 0; i < len(format); i++ {
		switch c := format[i]; c {
		case ';':
			i = len(format) // only the first (positive) section decides
		case '"':
			if j := strings.IndexByte(format[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(format)
			}
		case '\\', '_', '*':
			i++ // escaped, padding or fill character
		case '[':
			j := strings.IndexByte(format[i+1:], ']')
			if j < 0 {
				i = len(format)
				break
			}
			inner := strings.ToLower(format[i+1 : i+1+j])
			if inner != "" && strings.Contains("hms", inner[:1]) && strings.Trim(inner, inner[:1]) == "" {
				elapsed = true
			}
			i += j + 1
		default:
			switch c | 0x20 { // ASCII lower case
			case 'd', 'y':
				dayOrYear = true
			case 'm':
				monthOrMinute = true
			case 'h', 's':
				hourOrSecond = true
			}
		}
	}
	switch {
	case dayOrYear:
		return cellDate
	case elapsed:
		return cellElapsedTime
	case hourOrSecond:
		return cellTimeOfDay // "h:mm", "mm:ss": m is minutes here
	case monthOrMinute:
		return cellDate // "mmmm": a month name
	}
	return cellNotDate
}

// cellSerialDate shows a spreadsheet serial number (days since the epoch of
// the 1900 or 1904 date system) as an ISO date, with the time when it is not
// midnight. ok is false for serials no date can show (negative, past 9999).
func cellSerialDate(serial float64, date1904 bool, kind cellDateKind) (string, bool) {
	if math.IsNaN(serial) || serial < 0 || serial >= 2958466 {
		return "", false
	}
	secs := int64(math.Round(serial * 86400))
	days, daySecs := secs/86400, secs%86400
	clock := fmt.Sprintf("%02d:%02d:%02d", daySecs/3600, daySecs%3600/60, daySecs%60)
	switch kind {
	case cellTimeOfDay:
		return clock, true
	case cellElapsedTime:
		return fmt.Sprintf("%d:%02d:%02d", secs/3600, secs%3600/60, secs%60), true
	}
	var t time.Time
	switch {
	case date1904:
		t = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days))
	case days == 60:
		// Excel keeps Lotus 1-2-3's 29 February 1900, which never was.
		return cellWithClock("1900-02-29", daySecs, clock), true
	case days < 60:
		t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days))
	default:
		t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days))
	}
	if days == 0 && !date1904 && daySecs > 0 {
		return clock, true // a time typed without a date shows as 1900-01-00 in Excel
	}
	return cellWithClock(t.Format("2006-01-02"), daySecs, clock), true
}

func cellWithClock(date string, daySecs int64, clock string) string {
	if daySecs == 0 {
		return date
	}
	return date + " " + clock
}

// cellBool shows a boolean as a spreadsheet does.
func cellBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// cellTrimRow drops the empty cells at the end of a row.
func cellTrimRow(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

// cellCheckRow applies the row, column and cell-length limits of F8 to one
// row about to be returned; cells must already be trimmed. width is the
// row's real width when the reader had to cut cells past the column limit.
func cellCheckRow(file, sheet string, lim Limits, number, width int, cells []string) error {
	if number > lim.MaxRows {
		return &LimitError{File: file, Sheet: sheet, Row: number, Column: -1, What: "rows", Limit: int64(lim.MaxRows)}
	}
	if width < len(cells) {
		width = len(cells)
	}
	if width > lim.MaxColumns {
		return &LimitError{File: file, Sheet: sheet, Row: number, Column: lim.MaxColumns, What: "columns",
			Limit: int64(lim.MaxColumns), Actual: int64(width)}
	}
	for i, c := range cells {
		if len(c) > lim.MaxCellLength { // bytes ≥ characters: count only when it may matter
			if n := utf8.RuneCountInString(c); n > lim.MaxCellLength {
				return &LimitError{File: file, Sheet: sheet, Row: number, Column: i, What: "cell length",
					Limit: int64(lim.MaxCellLength), Actual: int64(n)}
			}
		}
	}
	return nil
}

// cellNoSheet is the error of Book.Rows for a sheet the file does not have.
func cellNoSheet(file, sheet string) error {
	return fmt.Errorf("%s: no sheet named %q", file, sheet)
}
