package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/config"
)

// pageEvent is a GET on one of the page's routes, which the stack leaves
// without an authorizer: no JWT claims.
func pageEvent(path string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET " + path, RawPath: path,
		Headers: map[string]string{"host": "api.roster.example"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "api.roster.example", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path},
		},
	}
}

// The api function serves the admin page beside the API (W9): the page
// and its config without a token, the API still only with one (X1).
func TestServesThePage(t *testing.T) {
	t.Setenv("COGNITO_DOMAIN", "roster-1.auth.eu-west-1.amazoncognito.com")
	t.Setenv("COGNITO_CLIENT_ID", "page-client")
	h := newHandler(&config.Backend{}, config.Config{}, slog.New(slog.DiscardHandler))
	call := func(path string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := h(context.Background(), pageEvent(path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp
	}
	page := call("/")
	if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Headers["Content-Type"], "text/html") || !strings.Contains(page.Body, `<script type="module" src="/assets/app.js">`) {
		t.Fatalf("GET /: %d %q %.80q", page.StatusCode, page.Headers["Content-Type"], page.Body)
	}
	if csp := page.Headers["Content-Security-Policy"]; !strings.Contains(csp, "https://roster-1.auth.eu-west-1.amazoncognito.com") {
		t.Errorf("CSP %q does not allow the hosted UI's token endpoint", csp)
	}
	var cfg map[string]any
	if resp := call("/config.json"); json.Unmarshal([]byte(resp.Body), &cfg) != nil || cfg["auth"] != "cognito" || cfg["cognitoClientId"] != "page-client" {
		t.Errorf("GET /config.json: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := call("/assets/app.js"); resp.StatusCode != http.StatusOK || resp.IsBase64Encoded {
		t.Errorf("GET /assets/app.js: %d base64 %v, want 200 as text", resp.StatusCode, resp.IsBase64Encoded)
	}
	if resp := call("/v1/programs/mentoring-2026"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /v1/... without claims: %d, want 401", resp.StatusCode)
	}
}
