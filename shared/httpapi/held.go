package httpapi

import "net/http"

// heldRoutes approve or reject the suspensions a synced file's safety
// valve held (I5).
func (s *server) heldRoutes() []route {
	return []route{
		{pattern: "POST /v1/imports/{importId}/held/approve", serve: s.approveHeld},
		{pattern: "POST /v1/imports/{importId}/held/reject", serve: s.rejectHeld},
	}
}

func (s *server) approveHeld(w http.ResponseWriter, r *http.Request, c Claims) error {
	res, err := s.session(c).ApproveHeld(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *server) rejectHeld(w http.ResponseWriter, r *http.Request, c Claims) error {
	res, err := s.session(c).RejectHeld(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
