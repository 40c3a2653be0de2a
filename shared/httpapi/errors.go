package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

// statusOf maps an error to its HTTP status: the one place where domain
// errors meet HTTP. The message is shown to the caller for 4xx only.
func statusOf(err error) int {
	var tooBig *http.MaxBytesError
	var method errMethod
	switch {
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized
	case errors.As(err, &method):
		return http.StatusMethodNotAllowed
	case errors.As(err, &tooBig), errors.Is(err, roster.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, roster.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, roster.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, roster.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, roster.ErrForbidden), errors.Is(err, roster.ErrLocked):
		return http.StatusForbidden
	case errors.Is(err, sheet.ErrLimit), errors.Is(err, sheet.ErrUnsupported):
		return http.StatusBadRequest
	}
	var pe *sheet.ParseError
	if errors.As(err, &pe) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := err.Error()
	// A roster.Error's message is the one meant for the caller, without the
	// wrapping of the layers it went through.
	var re *roster.Error
	if code != http.StatusInternalServerError && errors.As(err, &re) {
		msg = re.Message
	}
	var tooBig *http.MaxBytesError
	switch {
	case code == http.StatusInternalServerError:
		msg = "internal error"
	case code == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="roster"`)
	case errors.As(err, &tooBig):
		msg = fmt.Sprintf("request body is larger than the limit of %s", roster.FormatSize(tooBig.Limit))
	}
	writeJSON(w, code, errorBody{Error: msg})
}

var emailLike = regexp.MustCompile(`[^\s"'<>:#/]+@[^\s"'<>:#/]+`)

// redact masks anything that looks like an email address (X3).
func redact(s string) string { return emailLike.ReplaceAllString(s, "<email>") }
