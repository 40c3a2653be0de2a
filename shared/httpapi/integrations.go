package httpapi

import (
	"net/http"

	"github.com/rosterhq/roster/shared/roster"
)

// integrationRoutes are the integrations' operations (I1, I7).
func (s *server) integrationRoutes() []route {
	return []route{
		{pattern: "GET /v1/integrations", serve: s.listIntegrations},
		{pattern: "GET /v1/integrations/{integrationId}", serve: s.getIntegration},
		{pattern: "PUT /v1/integrations/{integrationId}", serve: s.putIntegration},
		{pattern: "DELETE /v1/integrations/{integrationId}", serve: s.deleteIntegration},
		{pattern: "POST /v1/integrations/{integrationId}/live", serve: s.setIntegrationLive},
	}
}

func (s *server) listIntegrations(w http.ResponseWriter, r *http.Request, c Claims) error {
	ins, err := s.session(c).ListIntegrations(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"integrations": ins})
	return nil
}

func (s *server) getIntegration(w http.ResponseWriter, r *http.Request, c Claims) error {
	in, err := s.session(c).GetIntegration(r.Context(), r.PathValue("integrationId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// putIntegration creates or replaces an integration from an integration
// file (DESIGN §5), read as strictly as `roster integration put` reads it.
func (s *server) putIntegration(w http.ResponseWriter, r *http.Request, c Claims) error {
	id := r.PathValue("integrationId")
	in, err := roster.ParseIntegration(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		return err
	}
	if in.ID != id {
		return roster.Errorf(roster.ErrInvalid, "integration id %q in the body differs from %q in the path", in.ID, id)
	}
	in, err = s.session(c).PutIntegration(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *server) deleteIntegration(w http.ResponseWriter, r *http.Request, c Claims) error {
	if err := s.session(c).DeleteIntegration(r.Context(), r.PathValue("integrationId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type liveRequest struct {
	Live *bool `json:"live"`
}

// setIntegrationLive leaves test mode ({"live":true}) or re-enters it (I7).
func (s *server) setIntegrationLive(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req liveRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if req.Live == nil {
		return roster.Errorf(roster.ErrInvalid, "live is required: true leaves test mode, false re-enters it")
	}
	in, err := s.session(c).SetLive(r.Context(), r.PathValue("integrationId"), *req.Live)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}
