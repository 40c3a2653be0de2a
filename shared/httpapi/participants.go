package httpapi

import (
	"net/http"

	"github.com/rosterhq/roster/shared/importer"
)

func (s *server) listParticipants(w http.ResponseWriter, r *http.Request, c Claims) error {
	limit, err := queryInt(r, "limit", 0)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := s.session(c).ListParticipants(r.Context(), r.PathValue("programId"),
		importer.ParticipantQuery{Role: q.Get("role"), Limit: limit, Cursor: q.Get("cursor"), Q: q.Get("q")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *server) ownProfile(w http.ResponseWriter, r *http.Request, c Claims) error {
	v, err := s.session(c).OwnProfile(r.Context(), r.PathValue("programId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// profileEdit is a participant's own update (A8).
type profileEdit struct {
	Set   map[string]string `json:"set"`
	Email string            `json:"email,omitempty"`
}

func (s *server) editOwnProfile(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req profileEdit
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if err := s.session(c).EditOwnProfile(r.Context(), r.PathValue("programId"), req.Set, req.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) outbox(w http.ResponseWriter, r *http.Request, c Claims) error {
	sent, err := s.session(c).Outbox(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sent)
	return nil
}
