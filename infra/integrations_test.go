package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/google/go-cmp/cmp"
)

var (
	syncOnce sync.Once
	syncOut  synthesized
)

// syncRefs are the integrations of the stack with credentials.
var syncRefs = []IntegrationRef{{"acme", "hr"}, {"acme", "payroll"}, {"globex", "hr"}}

// syncStack is the stack with three integrations' credentials and the SFTP
// server on: `-c integrations=acme/hr,acme/payroll,globex/hr -c sftp=true`.
func syncStack(t *testing.T) synthesized {
	t.Helper()
	syncOnce.Do(func() {
		syncOut = func() (out synthesized) {
			dist, err := fakeDist(testRoot)
			if err != nil {
				return synthesized{err: err}
			}
			out.outdir = filepath.Join(testRoot, "cdk.out.sync")
			app, err := newApp(out.outdir)
			if err != nil {
				return synthesized{err: err}
			}
			app.Node().SetContext(new("integrations"), "acme/hr, acme/payroll,globex/hr")
			app.Node().SetContext(new("sftp"), "true")
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
			out.tpl = assertions.Template_FromStack(r.Stack, nil)
			data, err := json.Marshal(out.tpl.ToJSON())
			if err == nil {
				err = json.Unmarshal(data, &out.doc)
			}
			out.err = err
			return out
		}()
	})
	if syncOut.err != nil {
		t.Fatalf("synthesize: %v", syncOut.err)
	}
	return syncOut
}

// policyStatements returns the statements of the IAM policies attached to
// a user or role (kind "Users" or "Roles").
func (s synthesized) policyStatements(kind, id string) []map[string]any {
	var out []map[string]any
	for _, p := range s.resources("AWS::IAM::Policy") {
		owners, _ := p.Properties[kind].([]any)
		if !slices.ContainsFunc(owners, func(o any) bool { return cmp.Equal(o, ref(id)) }) {
			continue
		}
		for _, st := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

// putOnlyOn is the one statement an integration's principal may have (I8).
func putOnlyOn(bucket string, in IntegrationRef) []map[string]any {
	return []map[string]any{{
		"Effect": "Allow", "Action": "s3:PutObject",
		"Resource": map[string]any{"Fn::Join": []any{"", []any{getAtt(bucket, "Arn"), "/inbound/" + in.Tenant + "/" + in.ID + "/*"}}},
	}}
}

// TestIntegrationPrincipalsPutOnly: each integration's IAM user may put
// objects under its own prefix and do nothing else: no read, no list, no
// delete, no other prefix (I8).
func TestIntegrationPrincipalsPutOnly(t *testing.T) {
	s := syncStack(t)
	bucket := s.resources("AWS::S3::Bucket")[0].ID
	users := s.resources("AWS::IAM::User")
	if len(users) != len(syncRefs) {
		t.Fatalf("%d IAM users, want one per integration (%d)", len(users), len(syncRefs))
	}
	for _, in := range syncRefs {
		t.Run(in.Tenant+"/"+in.ID, func(t *testing.T) {
			u := s.byPath(t, s.settings.StackName+"/Integrations/"+in.Tenant+"/"+in.ID+"/Resource")
			if u.Properties["Path"] != integrationUsersPath {
				t.Errorf("user path = %v, want %s", u.Properties["Path"], integrationUsersPath)
			}
			if u.Properties["Policies"] != nil || u.Properties["ManagedPolicyArns"] != nil || u.Properties["Groups"] != nil {
				t.Errorf("user has permissions outside its policy: %v", u.Properties)
			}
			if diff := cmp.Diff(putOnlyOn(bucket, in), s.policyStatements("Users", u.ID)); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(s.resources("AWS::IAM::AccessKey")); n != 0 {
		t.Errorf("%d access keys in the template, want none (secrets stay out of it)", n)
	}
	if def := stack(t); len(def.resources("AWS::IAM::User")) != 0 {
		t.Errorf("the default stack has IAM users, want none without -c integrations")
	}
}

// TestWatchdogSchedule: an EventBridge rule invokes the watchdog every 15
// minutes, and the watchdog touches no file (I6).
func TestWatchdogSchedule(t *testing.T) {
	s := stack(t)
	fn := s.function(t, fnWatchdog)
	var rules []resource
	for _, r := range s.resources("AWS::Events::Rule") {
		if r.Properties["ScheduleExpression"] != nil {
			rules = append(rules, r)
		}
	}
	if len(rules) != 1 {
		t.Fatalf("%d scheduled rules, want 1", len(rules))
	}
	p := rules[0].Properties
	if p["ScheduleExpression"] != "rate(15 minutes)" || p["State"] != "ENABLED" {
		t.Errorf("schedule = %v, state %v; want rate(15 minutes), ENABLED", p["ScheduleExpression"], p["State"])
	}
	targets := p["Targets"].([]any)
	if len(targets) != 1 || !cmp.Equal(targets[0].(map[string]any)["Arn"], getAtt(fn.ID, "Arn")) {
		t.Errorf("targets = %v, want the watchdog function only", targets)
	}
	has(t, "events may invoke the watchdog", func() {
		s.tpl.HasResourceProperties(new("AWS::Lambda::Permission"), map[string]any{
			"Action": "lambda:InvokeFunction", "FunctionName": getAtt(fn.ID, "Arn"),
			"Principal": "events.amazonaws.com", "SourceArn": getAtt(rules[0].ID, "Arn"),
		})
	})
	for _, st := range s.roleStatements(t, fn) {
		for _, a := range st.Actions {
			if strings.HasPrefix(a, "s3:") {
				t.Errorf("watchdog may %s: it needs the table and mail only", a)
			}
		}
	}
}

// TestSFTPFlag: no Transfer Family server by default; with -c sftp=true a
// server ignoring SETSTAT, logging through its own role, and one user per
// integration chrooted to its prefix with a put-only role (I8).
func TestSFTPFlag(t *testing.T) {
	if def := stack(t); len(def.resources("AWS::Transfer::Server")) != 0 || len(def.resources("AWS::Transfer::User")) != 0 {
		t.Fatal("the default stack has an SFTP server, want none without -c sftp=true (it costs about $0.30 an hour)")
	}
	s := syncStack(t)
	bucket := s.resources("AWS::S3::Bucket")[0].ID
	servers := s.resources("AWS::Transfer::Server")
	if len(servers) != 1 {
		t.Fatalf("%d SFTP servers, want 1", len(servers))
	}
	srv := servers[0]
	want := map[string]any{
		"Domain": "S3", "EndpointType": "PUBLIC", "IdentityProviderType": "SERVICE_MANAGED", "Protocols": []any{"SFTP"},
		"ProtocolDetails": map[string]any{"SetStatOption": "ENABLE_NO_OP"},
	}
	for k, v := range want {
		if !cmp.Equal(v, srv.Properties[k]) {
			t.Errorf("server %s = %v, want %v", k, srv.Properties[k], v)
		}
	}
	logRole, _ := srv.Properties["LoggingRole"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(logRole) == 0 || s.resource(t, logRole[0].(string)).Type != "AWS::IAM::Role" {
		t.Errorf("server LoggingRole = %v, want a role of the stack", srv.Properties["LoggingRole"])
	}
	users := s.resources("AWS::Transfer::User")
	if len(users) != len(syncRefs) {
		t.Fatalf("%d SFTP users, want %d", len(users), len(syncRefs))
	}
	for _, in := range syncRefs {
		t.Run(in.Tenant+"/"+in.ID, func(t *testing.T) {
			u := s.byPath(t, s.settings.StackName+"/SftpUsers/"+in.Tenant+"/"+in.ID)
			p := u.Properties
			if p["UserName"] != in.Tenant+"."+in.ID || !cmp.Equal(p["ServerId"], getAtt(srv.ID, "ServerId")) {
				t.Errorf("user %v on %v, want %s.%s on the server", p["UserName"], p["ServerId"], in.Tenant, in.ID)
			}
			if p["HomeDirectoryType"] != "LOGICAL" {
				t.Errorf("HomeDirectoryType = %v, want LOGICAL (chrooted)", p["HomeDirectoryType"])
			}
			mapping := []any{map[string]any{"Entry": "/", "Target": map[string]any{"Fn::Join": []any{"", []any{"/", ref(bucket), "/inbound/" + in.Tenant + "/" + in.ID}}}}}
			if diff := cmp.Diff(mapping, p["HomeDirectoryMappings"]); diff != "" {
				t.Errorf("HomeDirectoryMappings (-want +got):\n%s", diff)
			}
			role := p["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			if diff := cmp.Diff(putOnlyOn(bucket, in), s.policyStatements("Roles", role)); diff != "" {
				t.Errorf("user role statements (-want +got):\n%s", diff)
			}
		})
	}
}
