package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

const hrIntegration = `{"id":"hr","program":"mentoring","role":"mentee","fileName":"people_*.csv",
  "mapping":{"Work Email":"email","Dept":"field:department"},"contacts":["it@example.com"],
  "schedule":{"every":"weekly","day":"friday","at":"22:00","timezone":"Europe/Paris"}}`

// TestIntegrationsAPI: create, read, list, go live, delete (I1, I7), each
// kept to the token's tenant and programs (X1).
func TestIntegrationsAPI(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.token("acme", "admin@acme.test", "*")
	e.putProgram(acme, mentoring)

	var in roster.Integration
	e.must(http.StatusOK, acme, "PUT", "/v1/integrations/hr", hrIntegration, &in)
	if in.Tenant != "acme" || in.Live || !in.Overwrite || in.Schedule.GraceHours != 6 || in.CreatedAt.IsZero() {
		t.Errorf("PUT = %+v, want tenant acme, test mode, defaults filled", in)
	}
	var got roster.Integration
	e.must(http.StatusOK, acme, "GET", "/v1/integrations/hr", nil, &got)
	if got.ID != "hr" || got.Schedule.Day != "friday" {
		t.Errorf("GET = %+v", got)
	}
	e.must(http.StatusOK, acme, "POST", "/v1/integrations/hr/live", `{"live":true}`, &got)
	if !got.Live {
		t.Error("after POST live true the integration is in test mode")
	}
	var list struct{ Integrations []roster.Integration }
	e.must(http.StatusOK, acme, "GET", "/v1/integrations", nil, &list)
	if len(list.Integrations) != 1 || !list.Integrations[0].Live {
		t.Errorf("GET /v1/integrations = %+v, want hr, live", list)
	}

	other := e.token("acme", "other@acme.test", "sales")
	globex := e.token("globex", "admin@globex.test", "*")
	participant := e.participantToken("acme", "pat@acme.test", "mentoring")
	e.must(http.StatusOK, other, "GET", "/v1/integrations", nil, &list)
	if len(list.Integrations) != 0 {
		t.Errorf("a token without program mentoring lists %d integrations, want none (X1)", len(list.Integrations))
	}
	bad := []struct {
		name, token, method, path, body string
		code                            int
		want                            string
	}{
		{"other program get", other, "GET", "/v1/integrations/hr", "", 403, "not granted"},
		{"other program live", other, "POST", "/v1/integrations/hr/live", `{"live":false}`, 403, "not granted"},
		{"other program put", other, "PUT", "/v1/integrations/hr", hrIntegration, 403, "not granted"},
		{"participant list", participant, "GET", "/v1/integrations", "", 403, "only an admin"},
		{"participant get", participant, "GET", "/v1/integrations/hr", "", 403, "only an admin"},
		{"participant live", participant, "POST", "/v1/integrations/hr/live", `{"live":false}`, 403, "only an admin"},
		{"participant put", participant, "PUT", "/v1/integrations/hr", hrIntegration, 403, "only an admin"},
		{"other tenant get", globex, "GET", "/v1/integrations/hr", "", 404, "does not exist"},
		{"other tenant delete", globex, "DELETE", "/v1/integrations/hr", "", 404, "does not exist"},
		{"tenant in the body", acme, "PUT", "/v1/integrations/hr", strings.Replace(hrIntegration, `{"id"`, `{"tenant":"globex","id"`, 1), 200, ""},
		{"id differs", acme, "PUT", "/v1/integrations/payroll", hrIntegration, 400, "differs"},
		{"misspelt field", acme, "PUT", "/v1/integrations/hr", strings.Replace(hrIntegration, `"contacts"`, `"contact"`, 1), 400, `unknown field \"contact\"`},
		{"unknown role", acme, "PUT", "/v1/integrations/hr", strings.Replace(hrIntegration, `"mentee"`, `"coach"`, 1), 400, `no role \"coach\"`},
		{"live missing", acme, "POST", "/v1/integrations/hr/live", `{}`, 400, "live is required"},
		{"no token", "", "GET", "/v1/integrations", "", 401, ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := e.call(tc.token, tc.method, tc.path, body, nil)
			if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("%s %s = %d %s, want %d with %q", tc.method, tc.path, r.code, r.body, tc.code, tc.want)
			}
		})
	}
	// The body's tenant is dropped: the integration stays acme's (X1).
	e.must(http.StatusOK, acme, "GET", "/v1/integrations/hr", nil, &got)
	if got.Tenant != "acme" {
		t.Errorf("tenant after a PUT naming globex = %q, want acme", got.Tenant)
	}
	e.must(http.StatusNoContent, acme, "DELETE", "/v1/integrations/hr", nil, nil)
	e.must(http.StatusNotFound, acme, "GET", "/v1/integrations/hr", nil, nil)
}
