package httpapi

import (
	"net/http"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// pageRoutes are the operations the admin page needs beyond the review's:
// the dry run row by row with each update's before → after (W5), and the
// suspension or reactivation of one participant (A14).
func (s *server) pageRoutes() []route {
	return []route{
		{pattern: "GET /v1/imports/{importId}/rows", serve: s.rows},
		{pattern: "POST /v1/programs/{programId}/participants/status", serve: s.setStatus},
	}
}

func (s *server) rows(w http.ResponseWriter, r *http.Request, c Claims) error {
	offset, limit, err := reviewPage(r)
	if err != nil {
		return err
	}
	pg, err := s.session(c).Rows(r.Context(), r.PathValue("importId"), importer.RowsOptions{Filter: r.URL.Query().Get("filter"), Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pg)
	return nil
}

type statusRequest struct {
	Email       string        `json:"email"`
	Status      roster.Status `json:"status"`
	AllPrograms bool          `json:"allPrograms"`
}

func (s *server) setStatus(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req statusRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if req.Status != roster.StatusActive && req.Status != roster.StatusSuspended {
		return roster.Errorf(roster.ErrInvalid, "status must be active or suspended (A14)")
	}
	if req.Email == "" {
		return roster.Errorf(roster.ErrInvalid, "email is required")
	}
	if err := s.session(c).SetStatus(r.Context(), r.PathValue("programId"), req.Email, req.Status, req.AllPrograms); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
