package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// I5: a program's admins, who are told of held suspensions, are put and
// shown with the program, each a valid email.
func TestProgramAdmins(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	p := mentoring
	p.Admins = []string{"lea@acme.example"}
	e.putProgram(admin, p)
	var got roster.Program
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring", nil, &got)
	if !slices.Equal(got.Admins, p.Admins) {
		t.Errorf("program admins = %v, want %v", got.Admins, p.Admins)
	}
	p.Admins = []string{"lea@acme"}
	if r := e.call(admin, "PUT", "/v1/programs/mentoring", p, nil); r.code != http.StatusBadRequest {
		t.Errorf("PUT a program with a bad admin email = %d %s, want 400", r.code, r.body)
	}
}
