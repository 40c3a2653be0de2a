package report

import (
	"fmt"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// separators are the separators of multiple answers a template or export
// may use, in order of preference (F6, F7, S2).
var separators = []string{",", ";", "|", "/"}

var separatorNames = map[string]string{",": "a comma", ";": "a semicolon", "|": "a vertical bar", "/": "a slash"}

// Separator returns the separator of multiple answers in p's template and
// export (F6, F7): the first of , ; | / that no option of a multi-choice
// question contains, so that every answer splits back into the options it
// was written from. It is an error when every one of them occurs.
func Separator(p roster.Program) (string, error) {
	for _, sep := range separators {
		free := true
		for _, q := range p.Questions {
			for _, o := range q.Options {
				if q.Type == roster.TypeMulti && strings.Contains(o, sep) {
					free = false
				}
			}
		}
		if free {
			return sep, nil
		}
	}
	return "", fmt.Errorf("every separator of several answers (%s) occurs in an option of a multi-choice question: rename an option",
		strings.Join(separators, " "))
}

// joinAnswers writes several answers into one cell with sep.
func joinAnswers(answers []string, sep string) string {
	if sep == "," {
		return strings.Join(answers, ", ")
	}
	return strings.Join(answers, " "+sep+" ")
}

// separatorSentence is the note row's statement of the separator, which
// NoteSeparator reads back.
func separatorSentence(sep string) string {
	return fmt.Sprintf(" Several answers in one cell are separated by %q: import this file with that separator.", sep)
}

// NoteSeparator returns the separator a template's or export's note row
// names (F6, F7), if it names one.
func NoteSeparator(cells []string) (string, bool) {
	if !IsNoteRow(cells) {
		return "", false
	}
	const mark = "separated by \""
	_, rest, ok := strings.Cut(cells[0], mark)
	if !ok {
		return "", false
	}
	sep, _, ok := strings.Cut(rest, "\"")
	if !ok || sep == "" {
		return "", false
	}
	return sep, true
}
