package sheet

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// cellKind is how a number format shows a number (F3): as a date, a time,
// both, a percentage, or as the number itself.
type cellKind uint8

const (
	kindNumber cellKind = iota
	kindDate
	kindTime
	kindDateTime
	kindPercent
	kindYesNo // Excel 2003 XML's named formats: Yes/No, True/False, On/Off
	kindTrueFalse
	kindOnOff
)

// numFormat is what matters of a number format for display.
type numFormat struct {
	kind     cellKind
	decimals int  // percent: digits after the point
	elapsed  bool // time: [h] counts hours past 24
	// general: date-time as "General Date" shows it, the time left out
	// at midnight and the date left out before day 1.
	general bool
}

// namedFormats are the format names Excel writes in Excel 2003 XML
// (ss:Format) for its built-in formats, lower-cased.
var namedFormats = map[string]numFormat{
	"general":        {},
	"general number": {},
	"general date":   {kind: kindDateTime, general: true},
	"long date":      {kind: kindDate},
	"medium date":    {kind: kindDate},
	"short date":     {kind: kindDate},
	"long time":      {kind: kindTime},
	"medium time":    {kind: kindTime},
	"short time":     {kind: kindTime},
	"currency":       {},
	"euro currency":  {},
	"fixed":          {},
	"standard":       {},
	"scientific":     {},
	"percent":        {kind: kindPercent, decimals: 2},
	"yes/no":         {kind: kindYesNo},
	"true/false":     {kind: kindTrueFalse},
	"on/off":         {kind: kindOnOff},
}

// builtinFormats are the number formats Excel does not write into
// styles.xml (ECMA-376 18.8.30); 27-36 and 50-58 are the East Asian dates.
var builtinFormats = func() map[int]numFormat {
	m := map[int]numFormat{
		9:  {kind: kindPercent},
		10: {kind: kindPercent, decimals: 2},
		22: {kind: kindDateTime},
		46: {kind: kindTime, elapsed: true},
	}
	for _, id := range []int{14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58} {
		m[id] = numFormat{kind: kindDate}
	}
	for _, id := range []int{18, 19, 20, 21, 32, 33, 45, 47} {
		m[id] = numFormat{kind: kindTime}
	}
	return m
}()

// classifyFormat reads a custom format code: date and time letters count
// only outside quotes, escapes and brackets; "m" is minutes next to h or s
// and months otherwise. Only the first section (positive numbers) counts.
func classifyFormat(code string) numFormat {
	lower := strings.ToLower(code)
	if f, ok := namedFormats[lower]; ok {
		return f
	}
	if lower == "@" || lower == "" {
		return numFormat{}
	}
	var letters []byte // y, m, d, h, s in order
	var f numFormat
	percent, afterPoint, decimals, elapsed := false, false, 0, false
scan:
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		switch c {
		case ';':
			break scan
		case '"':
			if j := strings.IndexByte(lower[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				break scan
			}
		case '\\', '_', '*':
			i++ // the next character is literal, or a width or fill
		case '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				break scan
			}
			if inner := lower[i+1 : i+j]; inner != "" && strings.Trim(inner, string(inner[0])) == "" && strings.Contains("hms", inner[:1]) {
				// [h], [mm], [ss]: elapsed time, which Excel accepts only
				// as the largest unit of the format: "hh[m]" is invalid and
				// the cell shows the number.
				if elapsed || bytes.ContainsAny(letters, "hs") {
					return numFormat{}
				}
				elapsed = true
				letters = append(letters, 'h')
				f.elapsed = inner[0] == 'h'
			}
			i += j
		case 'y', 'd', 'h', 's', 'm':
			if i == 0 || lower[i-1] != c { // "mm" is one token
				letters = append(letters, c)
			}
		case 'a':
			switch {
			case strings.HasPrefix(lower[i:], "am/pm"):
				i += 4
			case strings.HasPrefix(lower[i:], "a/p"):
				i += 2
			}
		case 'g':
			if strings.HasPrefix(lower[i:], "general") {
				i += 6
			}
		case 'e':
			// exponent of a scientific format: E+00
		case '%':
			percent = true
		case '.':
			afterPoint = true
		case '0', '#', '?':
			if afterPoint && decimals < 15 {
				decimals++
			}
		default:
			afterPoint = afterPoint && (c == ',')
		}
	}
	var date, tm bool
	for i, c := range letters {
		switch c {
		case 'y', 'd':
			date = true
		case 'h', 's':
			tm = true
		case 'm':
			if (i > 0 && letters[i-1] == 'h') || (i+1 < len(letters) && letters[i+1] == 's') {
				tm = true
			} else {
				date = true
			}
		}
	}
	switch {
	case date && tm:
		f.kind = kindDateTime
	case date:
		f.kind = kindDate
	case tm:
		f.kind = kindTime
	case percent:
		f.kind, f.decimals = kindPercent, decimals
	}
	return f
}

// maxSerial is 9999-12-31, the last date Excel shows.
const maxSerial = 2958466

// formatSerial shows an Excel date serial as an ISO date, date-time or
// time (F3). ok is false when the number is no date Excel would show.
func formatSerial(v float64, f numFormat, date1904 bool) (string, bool) {
	if v < 0 || v >= maxSerial || math.IsNaN(v) {
		return "", false
	}
	days := math.Floor(v)
	secs := int64(math.Round((v - days) * 86400))
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	if f.general && days == 0 {
		f.kind = kindTime
	}
	if f.kind == kindTime {
		h := secs / 3600
		if f.elapsed {
			h += int64(days) * 24
		}
		return twoDigits(h) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60), true
	}
	var date string
	switch d := int(days); {
	case date1904:
		date = time.Date(1904, 1, 1+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case d == 60:
		date = "1900-02-29" // Excel's day that never was (the Lotus 1-2-3 leap-year bug)
	case d < 60:
		date = time.Date(1899, 12, 31+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	default:
		date = time.Date(1899, 12, 30+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if f.kind == kindDate || f.general && secs == 0 {
		return date, true
	}
	return date + " " + twoDigits(secs/3600) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60), true
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// formatISODate shows a t="d" cell (an ISO 8601 date-time in the XML).
func formatISODate(s string, f numFormat) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		t = t.Round(time.Second)
		switch {
		case f.kind == kindTime:
			return t.Format(time.TimeOnly)
		case f.kind == kindDate, f.kind != kindDateTime && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
			return t.Format(time.DateOnly)
		}
		return t.Format(time.DateTime)
	}
	return s
}

// formatValue shows a number in its cell's number format, as a person sees
// it in Excel: a date, a time, a percentage, or the number (F3). Every
// workbook reader shows numbers through it.
func formatValue(v float64, f numFormat, date1904 bool) string {
	switch f.kind {
	case kindNumber:
		return formatFloat(v)
	case kindPercent:
		return formatPercent(v, f.decimals)
	case kindYesNo, kindTrueFalse, kindOnOff:
		words := formatWords[f.kind]
		if v == 0 {
			return words[0]
		}
		return words[1]
	}
	if s, ok := formatSerial(v, f, date1904); ok {
		return s
	}
	return formatFloat(v)
}

// formatWords are what the word formats show for zero and for any other number.
var formatWords = map[cellKind][2]string{kindYesNo: {"No", "Yes"}, kindTrueFalse: {"False", "True"}, kindOnOff: {"Off", "On"}}

// formatNumber shows a number as Excel's General format does, without
// float noise: at most 15 significant digits (0.1+0.2 shows 0.3).
func formatNumber(raw string) string {
	if isShortDecimal(raw) {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	return formatFloat(v)
}

func formatFloat(v float64) string {
	if v == 0 {
		return "0"
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if abs := math.Abs(v); abs >= 1e15 || abs < 1e-9 {
		// Scientific, as Excel shows it: 1.23E+20.
		s := strconv.FormatFloat(v, 'E', 14, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return mant + "E" + exp
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// isShortDecimal reports whether raw is already how formatFloat would show
// it: a plain decimal of at most 15 digits, without leading or trailing
// zeros. Most numbers in sheets are, and skip the float round trip.
func isShortDecimal(raw string) bool {
	digits := strings.TrimPrefix(raw, "-")
	if len(digits) == 0 || len(digits) > 15 {
		return false
	}
	intPart, frac, hasPoint := strings.Cut(digits, ".")
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') || (hasPoint && (frac == "" || frac[len(frac)-1] == '0')) {
		return false
	}
	for i := 0; i < len(intPart); i++ {
		if intPart[i] < '0' || intPart[i] > '9' {
			return false
		}
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return false
		}
	}
	// "-0" is "0".
	return !(len(digits) < len(raw) && intPart == "0" && !hasPoint)
}

// formatPercent shows a number as Excel's 0% / 0.00% formats do, rounding
// half away from zero.
func formatPercent(v float64, decimals int) string {
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v*100, 'g', 15, 64), 64)
	p := math.Pow10(decimals)
	x = math.Round(x*p) / p
	if x == 0 {
		x = 0 // no "-0%"
	}
	return strconv.FormatFloat(x, 'f', decimals, 64) + "%"
}
