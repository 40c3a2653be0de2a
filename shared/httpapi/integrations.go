package httpapi

import (
	"errors"
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

// loadIntegration loads the path's integration in the claims' tenant and
// checks that the claims grant its program (X1).
func (s *server) loadIntegration(r *http.Request, c Claims) (roster.Integration, error) {
	id := r.PathValue("integrationId")
	in, err := s.svc.GetIntegration(r.Context(), c.Tenant, id)
	if err != nil {
		return in, err
	}
	if !c.CanAccess(in.Program) {
		return roster.Integration{}, roster.Errorf(roster.ErrForbidden, "your token does not grant the program of integration %s", id)
	}
	return in, nil
}

func (s *server) listIntegrations(w http.ResponseWriter, r *http.Request, c Claims) error {
	ins, err := s.svc.ListIntegrations(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	granted := []roster.Integration{}
	for _, in := range ins {
		if c.CanAccess(in.Program) {
			granted = append(granted, in)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"integrations": granted})
	return nil
}

func (s *server) getIntegration(w http.ResponseWriter, r *http.Request, c Claims) error {
	in, err := s.loadIntegration(r, c)
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
	if !c.CanAccess(in.Program) {
		return roster.Errorf(roster.ErrForbidden, "your token does not grant program %s", in.Program)
	}
	// Replacing moves the integration out of its old program: that one
	// must be granted too.
	if _, err := s.loadIntegration(r, c); err != nil && !errors.Is(err, roster.ErrNotFound) {
		return err
	}
	in, err = s.svc.PutIntegration(r.Context(), c.Tenant, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *server) deleteIntegration(w http.ResponseWriter, r *http.Request, c Claims) error {
	in, err := s.loadIntegration(r, c)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteIntegration(r.Context(), c.Tenant, in.ID); err != nil {
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
	in, err := s.loadIntegration(r, c)
	if err != nil {
		return err
	}
	var req liveRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if req.Live == nil {
		return roster.Errorf(roster.ErrInvalid, "live is required: true leaves test mode, false re-enters it")
	}
	in, err = s.svc.SetLive(r.Context(), c.Tenant, in.ID, *req.Live)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}
