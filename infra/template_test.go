package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// synthesized is the stack synthesized once for every test: synthesis
// costs seconds (jsii runs the CDK in node).
type synthesized struct {
	tpl      assertions.Template
	doc      map[string]any // the template as JSON
	outdir   string         // the cloud assembly
	settings Settings
	err      error
}

var (
	synthOnce sync.Once
	synthOut  synthesized
	testRoot  string // removed by TestMain
)

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	dir, err := os.MkdirTemp("", "infra-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	jsii.Close()
	os.Exit(code)
}

// fakeDist writes a bootstrap per function whose content names it, so each
// function's asset can be told from the others.
func fakeDist(root string) (string, error) {
	dist := filepath.Join(root, "dist")
	for _, f := range functions() {
		if err := os.MkdirAll(filepath.Join(dist, f.name), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dist, f.name, "bootstrap"), []byte("#!/bin/sh\n# "+f.name+"\n"), 0o755); err != nil {
			return "", err
		}
	}
	return dist, nil
}

// stack returns the synthesized stack with the repository's cdk.json
// context and a fake dist/.
func stack(t *testing.T) synthesized {
	t.Helper()
	synthOnce.Do(func() {
		synthOut = synthesize()
	})
	if synthOut.err != nil {
		t.Fatalf("synthesize: %v", synthOut.err)
	}
	return synthOut
}

func synthesize() (out synthesized) {
	dist, err := fakeDist(testRoot)
	if err != nil {
		return synthesized{err: err}
	}
	out.outdir = filepath.Join(testRoot, "cdk.out")
	app, err := newApp(out.outdir)
	if err != nil {
		return synthesized{err: err}
	}
	s, err := settingsFrom(app.Node())
	if err != nil {
		return synthesized{err: err}
	}
	s.DistDir = dist
	out.settings = s
	r, err := NewRosterStack(app, s.StackName, s, &awscdk.StackProps{})
	if err != nil {
		return synthesized{err: err}
	}
	app.Synth(nil)
	out.tpl = assertions.Template_FromStack(r.Stack, nil)
	data, err := json.Marshal(out.tpl.ToJSON())
	if err != nil {
		return synthesized{err: err}
	}
	if err := json.Unmarshal(data, &out.doc); err != nil {
		return synthesized{err: err}
	}
	return out
}

// resource is one template resource.
type resource struct {
	ID         string
	Type       string
	Properties map[string]any
	Metadata   map[string]any
}

func (s synthesized) resources(typ string) []resource {
	var out []resource
	for id, v := range s.doc["Resources"].(map[string]any) {
		r := v.(map[string]any)
		if r["Type"] != typ {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		meta, _ := r["Metadata"].(map[string]any)
		out = append(out, resource{ID: id, Type: typ, Properties: props, Metadata: meta})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s synthesized) resource(t *testing.T, id string) resource {
	t.Helper()
	v, ok := s.doc["Resources"].(map[string]any)[id]
	if !ok {
		t.Fatalf("no resource %s", id)
	}
	r := v.(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	meta, _ := r["Metadata"].(map[string]any)
	return resource{ID: id, Type: r["Type"].(string), Properties: props, Metadata: meta}
}

// byPath finds the resource of a construct path, e.g. "Roster/apply/Resource".
func (s synthesized) byPath(t *testing.T, path string) resource {
	t.Helper()
	for id, v := range s.doc["Resources"].(map[string]any) {
		r := v.(map[string]any)
		if meta, _ := r["Metadata"].(map[string]any); meta["aws:cdk:path"] == path {
			return s.resource(t, id)
		}
	}
	t.Fatalf("no resource at construct path %s", path)
	return resource{}
}

// function returns the Lambda of functions/<name>.
func (s synthesized) function(t *testing.T, name string) resource {
	t.Helper()
	return s.byPath(t, s.settings.StackName+"/"+name+"/Resource")
}

// has runs a CDK assertion, turning its panic into a test error.
func has(t *testing.T, what string, assert func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assert()
}

// ref and getAtt build the intrinsic functions the template uses.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

// definition resolves the state machine's DefinitionString (an Fn::Join of
// strings and references) with arn naming each referenced resource.
func definition(def any, arn func(logicalID string) (string, error)) (string, error) {
	switch d := def.(type) {
	case string:
		return d, nil
	case map[string]any:
		join, ok := d["Fn::Join"].([]any)
		if !ok || len(join) != 2 {
			return "", fmt.Errorf("definition is %v, want a string or Fn::Join", d)
		}
		sep, _ := join[0].(string)
		var parts []string
		for _, p := range join[1].([]any) {
			switch p := p.(type) {
			case string:
				parts = append(parts, p)
			case map[string]any:
				var id string
				if att, ok := p["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "Arn" {
					id, _ = att[0].(string)
				} else if r, ok := p["Ref"].(string); ok {
					id = r
				} else {
					return "", fmt.Errorf("definition refers to %v", p)
				}
				a, err := arn(id)
				if err != nil {
					return "", err
				}
				parts = append(parts, a)
			default:
				return "", fmt.Errorf("definition part %v", p)
			}
		}
		return strings.Join(parts, sep), nil
	}
	return "", fmt.Errorf("definition is %T", def)
}

// localARN is the placeholder ARN a resolved definition gives a function.
func localARN(logicalID string) string {
	return "arn:aws:lambda:us-east-1:000000000000:function:" + logicalID
}

// stateMachine returns the import state machine's definition, with each
// function's ARN replaced by localARN of its logical ID.
func (s synthesized) stateMachine(t *testing.T) (resource, map[string]any) {
	t.Helper()
	sm := s.resources("AWS::StepFunctions::StateMachine")
	if len(sm) != 1 {
		t.Fatalf("%d state machines, want 1", len(sm))
	}
	def, err := definition(sm[0].Properties["DefinitionString"], func(id string) (string, error) {
		if r := s.resource(t, id); r.Type != "AWS::Lambda::Function" {
			return "", fmt.Errorf("definition refers to %s (%s), want only functions", id, r.Type)
		}
		return localARN(id), nil
	})
	if err != nil {
		t.Fatalf("resolve definition: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		t.Fatalf("definition is not JSON: %v", err)
	}
	return sm[0], doc
}
