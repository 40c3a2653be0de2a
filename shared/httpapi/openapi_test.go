package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
	Comps   struct {
		Parameters map[string]openAPIParam `json:"parameters"`
	} `json:"components"`
}

type openAPIParam struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

type openAPIOp struct {
	Security   *[]any         `json:"security"`
	Parameters []openAPIParam `json:"parameters"`
	Responses  map[string]any `json:"responses"`
}

var httpMethods = []string{"get", "put", "post", "patch", "delete", "head", "options"}

// documented returns "METHOD /path" for every operation of the document.
func documented(t *testing.T) (openAPIDoc, map[string]openAPIOp) {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	ops := map[string]openAPIOp{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			var op openAPIOp
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("openapi.json %s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return doc, ops
}

func testRoutes() []route {
	s := &server{}
	return s.routes()
}

// TestOpenAPIAgreesWithRoutes checks the document against the route table,
// both ways, and each documented operation's path parameters and responses.
func TestOpenAPIAgreesWithRoutes(t *testing.T) {
	doc, ops := documented(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Errorf("openapi = %q, want 3.0.x", doc.OpenAPI)
	}
	var inDoc, inHandler []string
	for k := range ops {
		inDoc = append(inDoc, k)
	}
	for _, rt := range testRoutes() {
		inHandler = append(inHandler, rt.pattern)
	}
	slices.Sort(inDoc)
	slices.Sort(inHandler)
	if d := cmp.Diff(inHandler, inDoc); d != "" {
		t.Errorf("routes (-handler +openapi.json):\n%s", d)
	}
	param := regexp.MustCompile(`\{(\w+)\}`)
	for key, op := range ops {
		declared := map[string]bool{}
		for _, p := range op.Parameters {
			if p.Ref != "" {
				p = doc.Comps.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			}
			if p.In == "path" {
				declared[p.Name] = true
			}
		}
		for _, m := range param.FindAllStringSubmatch(key, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %s is not declared", key, m[1])
			}
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses documented", key)
		}
		public := op.Security != nil && len(*op.Security) == 0
		if _, ok := op.Responses["401"]; !ok && !public {
			t.Errorf("%s: needs a token but documents no 401", key)
		}
	}
}

// TestMuxServesDocumentedOperations sends every documented operation to the
// real handler without a token: each must reach its route (401, or 200 for
// public ones), and an undocumented method on the same path must not.
func TestMuxServesDocumentedOperations(t *testing.T) {
	_, ops := documented(t)
	h := New(nil, Options{Auth: NewDevAuth(testSecret)})
	fill := regexp.MustCompile(`\{\w+\}`)
	for key, op := range ops {
		method, path, _ := strings.Cut(key, " ")
		target := fill.ReplaceAllString(path, "x1")
		want := http.StatusUnauthorized
		if op.Security != nil && len(*op.Security) == 0 {
			want = http.StatusOK
		}
		t.Run(key, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
			if w.Code != want {
				t.Errorf("%s %s = %d, want %d (body %s)", method, target, w.Code, want, w.Body)
			}
			other := http.MethodDelete
			if _, ok := ops["DELETE "+path]; ok {
				other = http.MethodPatch
			}
			w = httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(other, target, nil))
			if w.Code != http.StatusMethodNotAllowed || !strings.Contains(w.Header().Get("Allow"), method) {
				t.Errorf("%s %s = %d, Allow %q; want 405 allowing %s", other, target, w.Code, w.Header().Get("Allow"), method)
			}
		})
	}
}
