package mapping

import (
	"fmt"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

func BenchmarkSuggest(b *testing.B) {
	p := roster.Program{Roles: []string{"mentee", "mentor", "manager"}}
	for i := range 50 {
		p.Questions = append(p.Questions, roster.Question{Key: fmt.Sprintf("question%d", i), Label: fmt.Sprintf("Question number %d", i)})
	}
	targets := Targets(p, "mentee")
	headers := []string{"Email", "Employee ID", "Status", "Mentor Email"}
	for i := range 50 {
		headers = append(headers, fmt.Sprintf("Qestion number %d", i))
	}
	for b.Loop() {
		Suggest(headers, targets)
	}
}

func BenchmarkHeaderCandidates(b *testing.B) {
	var rows []sheet.Row
	rows = append(rows, sheet.Row{Number: 1, Cells: []string{"Export"}})
	header := []string{}
	for c := range 20 {
		header = append(header, fmt.Sprintf("Field %d", c))
	}
	rows = append(rows, sheet.Row{Number: 2, Cells: header})
	for r := 3; r <= 30; r++ {
		cells := []string{fmt.Sprintf("p%d@example.com", r)}
		for c := 1; c < 20; c++ {
			cells = append(cells, fmt.Sprintf("v%d", r*c))
		}
		rows = append(rows, sheet.Row{Number: r, Cells: cells})
	}
	for b.Loop() {
		if got := HeaderCandidates(rows); got[0].Row != 2 {
			b.Fatalf("best row = %d, want 2", got[0].Row)
		}
	}
}
