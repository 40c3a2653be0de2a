package roster_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
)

func TestProgramQuestions(t *testing.T) {
	prog := mentoring()
	tests := []struct {
		name string
		role string
		want []string
	}{
		{"A7_mentee_form", "mentee", []string{"dept", "skills", "goal"}},
		{"A7_mentor_form", "mentor", []string{"dept", "skills", "years"}},
		{"A7_unknown_role_gets_questions_for_every_role", "parent", []string{"dept", "skills"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, q := range prog.QuestionsFor(tc.role) {
				got = append(got, q.Key)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("QuestionsFor(%s) mismatch (-want +got):\n%s", tc.role, diff)
			}
		})
	}
	if q, ok := prog.Question("goal"); !ok || q.Label != "Goal" {
		t.Errorf("Question(goal) = %+v, %v, want the Goal question", q, ok)
	}
	if _, ok := prog.Question("missing"); ok {
		t.Errorf("Question(missing) found, want none")
	}
	if !prog.HasRole("mentor") || prog.HasRole("parent") {
		t.Errorf("HasRole(mentor), HasRole(parent) = %v, %v, want true, false", prog.HasRole("mentor"), prog.HasRole("parent"))
	}
}

func TestParticipantImported(t *testing.T) {
	p := mentee("u-ann", pending, nil, "dept", "goal")
	for key, want := range map[string]bool{"dept": true, "goal": true, "skills": false} {
		if got := p.Imported(key); got != want {
			t.Errorf("Imported(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestCounts(t *testing.T) {
	var c roster.Counts
	for _, a := range []roster.Action{roster.ActionCreate, roster.ActionCreate, roster.ActionUpdate, roster.ActionUnchanged,
		roster.ActionSkip, roster.ActionReject, roster.ActionReject, roster.ActionReject, "bogus"} {
		c.Add(a)
	}
	want := roster.Counts{Created: 2, Updated: 1, Unchanged: 1, Skipped: 1, Rejected: 3}
	if c != want {
		t.Errorf("Counts after Add = %+v, want %+v", c, want)
	}
	if got := c.Total(); got != 8 {
		t.Errorf("Total() = %d, want 8", got)
	}
	sum := c.Plus(roster.Counts{Created: 1, Updated: 2, Unchanged: 3, Skipped: 4, Rejected: 5})
	if want := (roster.Counts{Created: 3, Updated: 3, Unchanged: 4, Skipped: 5, Rejected: 8}); sum != want {
		t.Errorf("Plus = %+v, want %+v", sum, want)
	}
}

func TestError(t *testing.T) {
	err := fmt.Errorf("edit profile %s: %w", "u-ann", roster.Errorf(roster.ErrLocked, "answer %q is locked", "dept"))
	if !errors.Is(err, roster.ErrLocked) || errors.Is(err, roster.ErrInvalid) {
		t.Errorf("errors.Is(%v) does not match only ErrLocked", err)
	}
	var e *roster.Error
	if !errors.As(err, &e) || e.Message != `answer "dept" is locked` {
		t.Errorf("errors.As(%v) = %+v, want message %q", err, e, `answer "dept" is locked`)
	}
}
