package report

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// NoteRowPrefix starts the first cell of a template's (and an export's)
// note row, row 2: an importer that finds it right under the header row
// skips that row (F6).
const NoteRowPrefix = "Note:"

// Rows of the template layout (F6, F7).
const (
	HeaderRow    = 1
	NoteRow      = 2
	FirstDataRow = 3
)

// Headers of the template's fixed columns, before the role's questions.
const (
	HeaderEmail  = "Email"
	HeaderUserID = "User ID"
	HeaderStatus = "User Status"
	// HeaderUsername heads an export's username column (V9).
	HeaderUsername = "Username"
)

// ListsTab is the hidden tab that holds the options of choice questions
// too long (over 255 characters) or too odd (an option with a comma or a
// double quote) for an in-cell drop-down list. It exists only when needed.
const ListsTab = "Lists"

// IsNoteRow reports whether a row read from a template or export is its
// note row, which carries no participant.
func IsNoteRow(cells []string) bool {
	return len(cells) > 0 && strings.HasPrefix(strings.TrimSpace(cells[0]), NoteRowPrefix)
}

// TemplateHeaders returns the header row of role's tab: Email, User ID,
// User Status, then the label of each of the role's questions (its key when
// it has no label, and " (key)" added when two headers would read the same).
// It returns nil for a role the program does not have.
func TemplateHeaders(p roster.Program, role string) []string {
	if !p.HasRole(role) {
		return nil
	}
	headers := []string{HeaderEmail, HeaderUserID, HeaderStatus}
	seen := map[string]bool{}
	for _, h := range headers {
		seen[strings.ToLower(h)] = true
	}
	for _, q := range p.QuestionsFor(role) {
		h := strings.TrimSpace(q.Label)
		if h == "" {
			h = q.Key
		}
		if seen[strings.ToLower(h)] {
			h += " (" + q.Key + ")"
		}
		for n := 2; seen[strings.ToLower(h)]; n++ {
			h = fmt.Sprintf("%s (%s %d)", strings.TrimSpace(q.Label), q.Key, n)
		}
		seen[strings.ToLower(h)] = true
		headers = append(headers, h)
	}
	return headers
}

// TemplateMapping returns the mapping of role's tab, column by column as in
// TemplateHeaders, so that a filled template imports with no guessing (M1).
// It returns nil for a role the program does not have.
func TemplateMapping(p roster.Program, role string) roster.Mapping {
	if !p.HasRole(role) {
		return nil
	}
	m := roster.Mapping{roster.TargetEmail, roster.TargetUserID, roster.TargetStatus}
	for _, q := range p.QuestionsFor(role) {
		m = append(m, roster.FieldPrefix+q.Key)
	}
	return m
}

// Template writes the program's import template as .xlsx to w (F6): one tab
// per role, the header row, the note row, drop-downs for User Status and
// choice questions, and no data.
func Template(w io.Writer, p roster.Program) error {
	if err := writeLayout(w, p, nil); err != nil {
		return fmt.Errorf("write template for program %s: %w", p.ID, err)
	}
	return nil
}

// Excel's limits on a data validation's input message.
const (
	maxPromptTitle = 32
	maxPrompt      = 255
)

// lastRow is the last row of a sheet; validations cover every data row.
var lastRow = excelize.TotalRows

type layoutStyles struct {
	header, note, date int
}

// writeLayout writes the template layout filled with the rows each gives
// (nil for the empty template). each is called twice: first to learn the
// columns each tab needs (V9, A9), then to write the rows; every tab is
// streamed to its own temporary file and the workbook is zipped straight
// into w, so no participant is held in memory.
func writeLayout(w io.Writer, p roster.Program, each ExportSource) error {
	if len(p.Roles) == 0 {
		return errors.New("the program has no roles")
	}
	needs := map[string]*tabNeeds{}
	for _, role := range p.Roles {
		needs[role] = &tabNeeds{links: map[string]bool{}}
	}
	if each != nil {
		err := each(func(role string, r ExportRow) error {
			n, ok := needs[role]
			if !ok {
				return fmt.Errorf("role %q is not a role of the program", role)
			}
			n.add(r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	f := excelize.NewFile()
	defer f.Close()
	var st layoutStyles
	for _, s := range []struct {
		id *int
		s  excelize.Style
	}{
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}}},
		{&st.note, excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&st.date, excelize.Style{CustomNumFmt: ptr(isoDateFormat)}},
	} {
		id, err := f.NewStyle(&s.s)
		if err != nil {
			return err
		}
		*s.id = id
	}

	// Tabs first, in the program's order, so that the hidden lists tab
	// comes last.
	names := newTabs(ListsTab)
	tabOf := make(map[string]string, len(p.Roles))
	var roles []string
	for _, role := range p.Roles {
		if _, dup := tabOf[role]; !dup {
			tabOf[role] = ""
			roles = append(roles, role)
		}
	}
	for i, role := range roles {
		tab := names.name(role, "Role")
		tabOf[role] = tab
		var err error
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), tab)
		} else {
			_, err = f.NewSheet(tab)
		}
		if err != nil {
			return fmt.Errorf("tab for role %q: %w", role, err)
		}
	}
	// Before the tabs are streamed: setting it after reads every streamed
	// tab back into memory.
	f.SetActiveSheet(0)
	lists, err := writeLists(f, p)
	if err != nil {
		return err
	}
	sep, err := Separator(p)
	if err != nil {
		return err
	}
	tabs := make(map[string]*roleTab, len(roles))
	for _, role := range roles {
		t, err := startRoleTab(f, p, role, tabOf[role], st, sep, needs[role])
		if err != nil {
			return fmt.Errorf("role %q: %w", role, err)
		}
		tabs[role] = t
	}
	if each != nil {
		err := each(func(role string, r ExportRow) error {
			t, ok := tabs[role]
			if !ok || !t.needs.covers(r) {
				return errChanged
			}
			if err := t.write(r); err != nil {
				return fmt.Errorf("role %q: %w", role, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, role := range roles {
		if err := tabs[role].finish(f, lists); err != nil {
			return fmt.Errorf("role %q: %w", role, err)
		}
	}
	// excelize zips a workbook into a buffer of its own; its zip writer,
	// pointed at w, writes the parts there as they are read instead.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(io.Discard)
}

// writeLists puts the options of every choice question that cannot have an
// in-cell list on the hidden lists tab, one column per question, and
// returns the reference of each question's range by key.
func writeLists(f *excelize.File, p roster.Program) (map[string]string, error) {
	refs := map[string]string{}
	col := 0
	for _, q := range p.Questions {
		if q.Type != roster.TypeSingle || len(q.Options) == 0 || inlineList(q.Options) {
			continue
		}
		if col == 0 {
			if _, err := f.NewSheet(ListsTab); err != nil {
				return nil, err
			}
			if err := f.SetSheetVisible(ListsTab, false); err != nil {
				return nil, err
			}
		}
		col++
		name, err := excelize.ColumnNumberToName(col)
		if err != nil {
			return nil, err
		}
		for i, o := range q.Options {
			if err := f.SetCellStr(ListsTab, fmt.Sprintf("%s%d", name, i+1), o); err != nil {
				return nil, err
			}
		}
		refs[q.Key] = fmt.Sprintf("'%s'!$%s$1:$%s$%d", ListsTab, name, name, len(q.Options))
	}
	return refs, nil
}

// inlineList reports whether options fit an in-cell list: Excel splits the
// list on commas and allows 255 characters, and a list starting with = is
// read as a formula.
func inlineList(options []string) bool {
	n := 0
	for _, o := range options {
		if strings.ContainsAny(o, `,"`) || strings.HasPrefix(o, "=") {
			return false
		}
		n += len(utf16.Encode([]rune(o))) + 1
	}
	return n-1 <= excelize.MaxFieldLength
}

// errChanged is a second pass that met a row the first did not announce.
var errChanged = errors.New("participants changed while the export was read: export again")

// roleTab is one role's tab while it is written.
type roleTab struct {
	sw        *excelize.StreamWriter
	tab       string
	questions []roster.Question
	extra     []extraColumn
	needs     *tabNeeds
	st        layoutStyles
	sep       string
	row       []any
	next      int // the next row number
}

// startRoleTab writes a tab's widths, panes, header and note rows.
func startRoleTab(f *excelize.File, p roster.Program, role, tab string, st layoutStyles, sep string, needs *tabNeeds) (*roleTab, error) {
	questions := p.QuestionsFor(role)
	headers := TemplateHeaders(p, role)
	extra := extraColumns(p, role, needs, sep)
	for _, c := range extra {
		headers = append(headers, c.header)
	}
	sw, err := f.NewStreamWriter(tab)
	if err != nil {
		return nil, err
	}
	// Widths, column styles and panes go before the first row.
	if err := sw.SetColWidth(1, 1, 32); err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(2, 3, 14); err != nil {
		return nil, err
	}
	if len(questions) > 0 {
		if err := sw.SetColWidth(4, 3+len(questions), 22); err != nil {
			return nil, err
		}
	}
	for i, q := range questions {
		if q.Type == roster.TypeDate {
			// A date typed in any form the user's Excel understands is then
			// shown, and read back, as YYYY-MM-DD.
			if err := sw.SetColStyle(4+i, 4+i, st.date); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: NoteRow, TopLeftCell: fmt.Sprintf("A%d", FirstDataRow), ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}

	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", HeaderRow), row); err != nil {
		return nil, err
	}
	notes := []string{
		NoteRowPrefix + " this row is skipped on import; enter participants from row 3. Email is required.",
		"Optional: the ID from your own system (letters, digits, - _ .).",
		"active or suspended; empty keeps the current status.",
	}
	for _, q := range questions {
		notes = append(notes, questionNote(q, sep))
		if q.Type == roster.TypeMulti && !strings.Contains(notes[0], "separated by") {
			notes[0] += separatorSentence(sep)
		}
	}
	for _, c := range extra {
		notes = append(notes, c.note)
		if c.header == HeaderUsername {
			notes[0] = strings.Replace(notes[0], "Email is required.", "Email is required, or a username and a link to a participant with an email.", 1)
		}
		if c.header != HeaderUsername && !strings.Contains(notes[0], "separated by") {
			notes[0] += separatorSentence(sep)
		}
	}
	for i, n := range notes {
		row[i] = excelize.Cell{StyleID: st.note, Value: n}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", NoteRow), row, excelize.RowOpts{Height: 60}); err != nil {
		return nil, err
	}
	return &roleTab{sw: sw, tab: tab, questions: questions, extra: extra, needs: needs, st: st, sep: sep, row: row, next: FirstDataRow}, nil
}

// write adds one participant's row.
func (t *roleTab) write(r ExportRow) error {
	row := t.row
	clear(row)
	row[0], row[1], row[2] = text(r.Email), text(r.UserID), text(exportStatus(r.Status))
	for j, q := range t.questions {
		row[3+j] = cellValue(q, r.Profile[q.Key], t.st.date, t.sep)
	}
	for j, c := range t.extra {
		row[3+len(t.questions)+j] = c.value(r)
	}
	cell, err := excelize.CoordinatesToCellName(1, t.next)
	if err != nil {
		return err
	}
	t.next++
	return t.sw.SetRow(cell, row)
}

// finish adds the drop-downs and ends the tab's stream.
func (t *roleTab) finish(f *excelize.File, lists map[string]string) error {
	for _, dv := range validations(t.questions, lists, t.sep) {
		if err := f.AddDataValidation(t.tab, dv); err != nil {
			return err
		}
	}
	return t.sw.Flush()
}

// questionNote is the note-row hint of a question's column; sep separates
// several answers.
func questionNote(q roster.Question, sep string) string {
	var n string
	switch q.Type {
	case roster.TypeNumber:
		n = "A number, e.g. 42 or 3.5."
	case roster.TypeDate:
		n = "A date as YYYY-MM-DD, e.g. 2024-03-31."
	case roster.TypeBoolean:
		n = "TRUE or FALSE (yes/no and 1/0 also work)."
	case roster.TypeEmail:
		n = "An email address."
	case roster.TypeSingle:
		n = "One of the options (drop-down)."
	case roster.TypeMulti:
		n = fmt.Sprintf("One or more of the options. Separate several answers with %s (%s)", separatorNames[sep], sep)
		if len(q.Options) >= 2 {
			n += ", e.g. " + joinAnswers(q.Options[:2], sep)
		}
		n += "."
	default:
		n = "Text."
	}
	if q.Required {
		n += " Required."
	}
	return n
}

// validations returns the data validations of a role's tab: drop-downs for
// User Status, single choices and booleans; an input message for multiple
// choices (a list cannot hold several values) and dates.
func validations(questions []roster.Question, lists map[string]string, sep string) []*excelize.DataValidation {
	colRange := func(col int) string {
		name, _ := excelize.ColumnNumberToName(col)
		return fmt.Sprintf("%s%d:%s%d", name, FirstDataRow, name, lastRow)
	}
	var dvs []*excelize.DataValidation
	list := func(col int, options []string, ref string, style excelize.DataValidationErrorStyle, title, msg string) {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = colRange(col)
		if ref != "" {
			dv.SetSqrefDropList(ref)
		} else if err := dv.SetDropList(options); err != nil {
			return // inlineList said it fits; a list that does not is left out
		}
		dv.SetError(style, title, msg)
		dvs = append(dvs, dv)
	}
	prompt := func(col int, title, msg string) {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = colRange(col)
		dv.SetInput(cutUTF16(title, maxPromptTitle), cutUTF16(msg, maxPrompt))
		dvs = append(dvs, dv)
	}
	list(3, []string{string(roster.StatusActive), string(roster.StatusSuspended)}, "", excelize.DataValidationErrorStyleStop,
		HeaderStatus, "Choose active or suspended, or leave the cell empty.")
	for i, q := range questions {
		col := 4 + i
		switch q.Type {
		case roster.TypeSingle:
			if len(q.Options) > 0 {
				list(col, q.Options, lists[q.Key], excelize.DataValidationErrorStyleStop,
					cutUTF16(q.Label, maxPromptTitle), "Choose one of the options of the list.")
			}
		case roster.TypeBoolean:
			// A warning, not a stop: the import also accepts yes/no and 1/0.
			list(col, []string{"TRUE", "FALSE"}, "", excelize.DataValidationErrorStyleWarning,
				cutUTF16(q.Label, maxPromptTitle), "Use TRUE or FALSE.")
		case roster.TypeMulti:
			prompt(col, "Several answers", "One or more of: "+joinAnswers(q.Options, sep)+
				fmt.Sprintf(". Separate several answers with %s (%s).", separatorNames[sep], sep))
		case roster.TypeDate:
			prompt(col, "Date", "Enter a date as YYYY-MM-DD, e.g. 2024-03-31.")
		}
	}
	return dvs
}

// cutUTF16 cuts s to n UTF-16 code units, ending with "…" when cut.
func cutUTF16(s string, n int) string {
	if len(utf16.Encode([]rune(s))) <= n {
		return s
	}
	return cutUnits(s, n-1) + "…"
}

func ptr[T any](v T) *T { return &v }
