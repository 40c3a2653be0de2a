package mapping

import (
	"cmp"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// Candidate is a row that may hold the column names, with a score in (0,1]
// (F4). Row is 1-based as in the file.
type Candidate struct {
	Row   int     `json:"row"`
	Score float64 `json:"score"`
}

const (
	// NoHeaderBelow is the score under which the best candidate is not
	// believed to be a header (F4): a real header row scores about 0.8 and
	// more, a data row with an email in it scores under 0.3.
	NoHeaderBelow = 0.5
	maxCandidates = 5
	// lookAhead is how many non-blank rows under a row are compared with it.
	lookAhead = 10
)

// HeaderCandidates scores the given first rows of a sheet as header rows (F4)
// and returns at most five, best first; the first is the default. Blank rows
// are never candidates. Ties go to the earlier row.
func HeaderCandidates(rows []sheet.Row) []Candidate {
	var filled []typedRow
	for _, r := range rows {
		t := typedRow{number: r.Number, cells: r.Cells, kinds: make([]kind, len(r.Cells))}
		blank := true
		for c, v := range r.Cells {
			t.kinds[c] = kindOf(v)
			blank = blank && t.kinds[c] == kindEmpty
		}
		if !blank {
			filled = append(filled, t)
		}
	}
	var out []Candidate
	for i, r := range filled {
		below := filled[i+1:]
		if len(below) > lookAhead {
			below = below[:lookAhead]
		}
		s := math.Round(headerScore(r, below)*100) / 100
		if s > 0 {
			out = append(out, Candidate{Row: r.number, Score: s})
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Row, b.Row)
	})
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out
}

// LikelyNoHeader reports whether the sheet seems to start with data (F4):
// no candidate, or the best scores under NoHeaderBelow. The caller then
// proposes "no header" with NoHeaderNames.
func LikelyNoHeader(c []Candidate) bool {
	return len(c) == 0 || c[0].Score < NoHeaderBelow
}

// typedRow is a row with the kind of each cell.
type typedRow struct {
	number int
	cells  []string
	kinds  []kind
}

// headerScore is fill × quality × a penalty for data in the row itself:
//   - fill: the row names the columns the rows below use (a title spanning
//     one of four columns scores 0.25);
//   - quality: weighted share of text cells, known header words, columns
//     whose cells below are typed data (emails, numbers, dates) under a
//     text name, rows below filled only under named columns, rows below
//     holding typed data, distinct names and short names;
//   - a header never holds an email address, so such a row scores ×0.3.
func headerScore(r typedRow, below []typedRow) float64 {
	cells, kinds := r.cells, r.kinds
	var named []int // non-empty columns of the row
	for c, k := range kinds {
		if k != kindEmpty {
			named = append(named, c)
		}
	}
	if len(named) == 0 {
		return 0
	}

	// Columns the data uses: filled in at least a quarter of the rows below.
	used := map[int]int{}
	for _, b := range below {
		for c, k := range b.kinds {
			if k != kindEmpty {
				used[c]++
			}
		}
	}
	ref := map[int]bool{}
	for _, c := range named {
		ref[c] = true
	}
	for c, n := range used {
		if n*4 >= len(below) {
			ref[c] = true
		}
	}
	fill := float64(len(named)) / float64(len(ref))

	var text, known, short, withEmail int
	distinct := map[string]bool{}
	for _, c := range named {
		v := strings.TrimSpace(cells[c])
		distinct[normalize(v)] = true
		if utf8.RuneCountInString(v) <= 40 && len(strings.Fields(v)) <= 5 {
			short++
		}
		switch kinds[c] {
		case kindText:
			text++
			if knownHeader(v) {
				known++
			}
		case kindEmail:
			withEmail++
		}
	}
	n := float64(len(named))

	// contrast: per reference column, the share of cells below that are typed
	// data under a text name. With nothing below, contrast and consistency
	// are unknown: 0.5. Columns are summed in order so scores are stable.
	contrast, consistent, dataBelow := 0.5, 0.5, 0.0
	if len(below) > 0 {
		contrast = 0
		for _, c := range slices.Sorted(maps.Keys(ref)) {
			if c >= len(cells) || kinds[c] != kindText {
				continue
			}
			var typed, all int
			for _, b := range below {
				if c < len(b.kinds) {
					if k := b.kinds[c]; k != kindEmpty {
						all++
						if k != kindText {
							typed++
						}
					}
				}
			}
			if all > 0 {
				contrast += float64(typed) / float64(all)
			}
		}
		contrast /= float64(len(ref))

		consistent = 0
		var rowsWithData int
		for _, b := range below {
			var in, all int
			hasData := false
			for c, k := range b.kinds {
				if k == kindEmpty {
					continue
				}
				all++
				if c < len(cells) && kinds[c] != kindEmpty {
					in++
				}
				if k != kindText {
					hasData = true
				}
			}
			consistent += float64(in) / float64(all)
			if hasData {
				rowsWithData++
			}
		}
		consistent /= float64(len(below))
		dataBelow = float64(rowsWithData) / float64(len(below))
	}

	quality := 0.20*float64(text)/n +
		0.25*float64(known)/n +
		0.20*contrast +
		0.10*consistent +
		0.10*dataBelow +
		0.075*float64(len(distinct))/n +
		0.075*float64(short)/n
	score := fill * quality
	if withEmail > 0 {
		score *= 0.3
	}
	return min(max(score, 0), 1)
}

// kind is what a cell looks like: header cells are text; data has emails,
// numbers, dates, booleans and links.
type kind int

const (
	kindEmpty kind = iota
	kindText
	kindEmail
	kindNumber
	kindDate
	kindBool
	kindURL
)

var (
	numericDate = regexp.MustCompile(`^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$`)
	namedDate   = regexp.MustCompile(`^\d{1,2}[-. /]\p{L}{3,9}\.?[-. /]\d{2,4}$`)
	clockTime   = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2})?$`)
)

func kindOf(v string) kind {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return kindEmpty
	case looksLikeEmail(v):
		return kindEmail
	case strings.EqualFold(v, "true"), strings.EqualFold(v, "false"):
		return kindBool
	case strings.HasPrefix(strings.ToLower(v), "http://"), strings.HasPrefix(strings.ToLower(v), "https://"):
		return kindURL
	case numericDate.MatchString(v), namedDate.MatchString(v), clockTime.MatchString(v):
		return kindDate
	case looksLikeNumber(v):
		return kindNumber
	}
	return kindText
}

func looksLikeEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && local != "" && strings.Contains(domain, ".") &&
		!strings.ContainsAny(v, " \t") && !strings.Contains(domain, "@")
}

// looksLikeNumber accepts numbers as sheets display them: "00123",
// "1,234.50 €", "12.50%", "1.23E+20", "-3.25", "+49 30 1234".
func looksLikeNumber(v string) bool {
	v = strings.Trim(v, " %€$£")
	clean := strings.NewReplacer(",", "", " ", "", "'", "", "\u00a0", "").Replace(v)
	if clean == "" {
		return false
	}
	if c := clean[0]; !(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.' {
		return false // ParseFloat would also take "Inf" and "NaN"
	}
	_, err := strconv.ParseFloat(clean, 64)
	return err == nil
}

// headerWords are words column names are made of, in English and German.
var headerWords = map[string]bool{}

// headerParts are found inside longer words: "Vorname", "Birthdate".
var headerParts = []string{"mail", "name", "date", "datum", "status", "phone", "nummer", "number"}

func init() {
	for _, w := range strings.Fields(`email mail name id status first last given family surname
		phone mobile tel department dept title role manager team location city country company
		organisation organization user employee number no date start end birth gender language
		timezone position job level group type notes note comment active state address code username
		login age score
		vorname nachname abteilung telefon geschlecht sprache firma adresse stadt land ort nummer
		personalnummer mitarbeiter benutzer rolle titel`) {
		headerWords[w] = true
	}
	for _, syns := range slices.Concat(slices.Collect(maps.Values(synonyms)), nameGroups) {
		for _, s := range syns {
			for _, w := range words(s) {
				headerWords[w] = true
			}
		}
	}
}

func knownHeader(v string) bool {
	for _, w := range words(v) {
		if headerWords[w] {
			return true
		}
		if utf8.RuneCountInString(w) > 4 {
			for _, p := range headerParts {
				if strings.Contains(w, p) {
					return true
				}
			}
		}
	}
	return false
}

// NoHeaderNames names n columns of a sheet without a header row (F4):
// "Column A", "Column B", …
func NoHeaderNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "Column " + roster.ColumnName(i)
	}
	return names
}

// HeaderNames gives every one of width columns (or of the row, if longer) a
// unique display name from the header row (F4): spaces are collapsed, an
// empty cell becomes "Column X", and a repeated name, compared without case,
// gets " (2)", " (3)", …
func HeaderNames(row []string, width int) []string {
	names := make([]string, max(width, len(row)))
	taken := map[string]bool{}
	for i := range names {
		name := ""
		if i < len(row) {
			name = strings.Join(strings.Fields(row[i]), " ")
		}
		if name == "" {
			name = "Column " + roster.ColumnName(i)
		}
		unique := name
		for n := 2; taken[strings.ToLower(unique)]; n++ {
			unique = name + " (" + strconv.Itoa(n) + ")"
		}
		taken[strings.ToLower(unique)] = true
		names[i] = unique
	}
	return names
}
