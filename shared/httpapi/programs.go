package httpapi

import (
	"bytes"
	"net/http"

	"github.com/rosterhq/roster/shared/roster"
)

func (s *server) getProgram(w http.ResponseWriter, r *http.Request, c Claims) error {
	p, err := s.session(c).GetProgram(r.Context(), r.PathValue("programId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) putProgram(w http.ResponseWriter, r *http.Request, c Claims) error {
	id := r.PathValue("programId")
	var p roster.Program
	if err := decode(w, r, maxJSONBytes, &p); err != nil {
		return err
	}
	if p.ID != "" && p.ID != id {
		return roster.Errorf(roster.ErrInvalid, "program id %q in the body differs from %q in the path", p.ID, id)
	}
	p.ID = id
	p, err := s.session(c).PutProgram(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) template(w http.ResponseWriter, r *http.Request, c Claims) error {
	id := r.PathValue("programId")
	var buf bytes.Buffer
	if err := s.session(c).Template(r.Context(), id, &buf); err != nil {
		return err
	}
	return sendFile(w, xlsxType, id+"-template.xlsx", buf.Bytes())
}

func (s *server) export(w http.ResponseWriter, r *http.Request, c Claims) error {
	id := r.PathValue("programId")
	var buf bytes.Buffer
	if err := s.session(c).Export(r.Context(), id, r.URL.Query().Get("role"), &buf); err != nil {
		return err
	}
	return sendFile(w, xlsxType, id+"-participants.xlsx", buf.Bytes())
}
