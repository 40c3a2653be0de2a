package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
)

var goFunctions = []string{fnAPI, fnParse, fnPrepare, fnApply, fnFinalize, fnWatchdog}

func TestBucket(t *testing.T) {
	s := stack(t)
	buckets := s.resources("AWS::S3::Bucket")
	if len(buckets) != 1 {
		t.Fatalf("%d buckets, want 1", len(buckets))
	}
	b := buckets[0]

	t.Run("X2_blocks_public_access", func(t *testing.T) {
		want := map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}
		if diff := cmp.Diff(want, b.Properties["PublicAccessBlockConfiguration"]); diff != "" {
			t.Errorf("PublicAccessBlockConfiguration (-want +got):\n%s", diff)
		}
	})
	t.Run("X2_encrypted", func(t *testing.T) {
		has(t, "bucket SSE", func() {
			s.tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
					map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
				}},
			})
		})
	})
	t.Run("X2_denies_non_TLS", func(t *testing.T) {
		has(t, "bucket policy denies aws:SecureTransport false", func() {
			s.tpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
				"Bucket": ref(b.ID),
				"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"Effect":    "Deny",
					"Action":    "s3:*",
					"Principal": map[string]any{"AWS": "*"},
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
					"Resource":  []any{getAtt(b.ID, "Arn"), map[string]any{"Fn::Join": []any{"", []any{getAtt(b.ID, "Arn"), "/*"}}}},
				})})},
			})
		})
	})
	t.Run("lifecycle_expires_uploads_inbound_and_work", func(t *testing.T) {
		rules, _ := b.Properties["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)
		got := map[string]float64{}
		for _, r := range rules {
			r := r.(map[string]any)
			if p, ok := r["Prefix"].(string); ok && r["Status"] == "Enabled" {
				got[p] = r["ExpirationInDays"].(float64)
			}
		}
		want := map[string]float64{
			prefixUploads: float64(s.settings.UploadRetentionDays),
			prefixInbound: float64(s.settings.UploadRetentionDays),
			prefixWork:    float64(s.settings.WorkRetentionDays),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("expiration by prefix (-want +got):\n%s", diff)
		}
	})
	t.Run("X2_CORS_allows_the_pages_presigned_POST", func(t *testing.T) {
		rules := b.Properties["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)
		if len(rules) != 1 {
			t.Fatalf("%d CORS rules, want 1", len(rules))
		}
		r := rules[0].(map[string]any)
		if diff := cmp.Diff([]any{"POST"}, r["AllowedMethods"]); diff != "" {
			t.Errorf("CORS AllowedMethods (-want +got):\n%s", diff)
		}
		var origins []any
		for _, o := range s.settings.AllowedOrigins {
			origins = append(origins, o)
		}
		if diff := cmp.Diff(origins, r["AllowedOrigins"]); diff != "" {
			t.Errorf("CORS AllowedOrigins (-want +got):\n%s", diff)
		}
	})
}

// TestTable checks the table against shared/store/dynamo's CreateTable.
func TestTable(t *testing.T) {
	s := stack(t)
	tables := s.resources("AWS::DynamoDB::Table")
	if len(tables) != 1 {
		t.Fatalf("%d tables, want 1", len(tables))
	}
	p := tables[0].Properties
	str := func(name string) map[string]any { return map[string]any{"AttributeName": name, "AttributeType": "S"} }
	key := func(name, typ string) map[string]any { return map[string]any{"AttributeName": name, "KeyType": typ} }
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"on_demand", p["BillingMode"], "PAY_PER_REQUEST"},
		{"key_schema", p["KeySchema"], []any{key(tableKeyPK, "HASH"), key(tableKeySK, "RANGE")}},
		{"attributes", p["AttributeDefinitions"], []any{str(tableKeyPK), str(tableKeySK), str(indexKeyPK), str(indexKeySK)}},
		{"byProgram_index", p["GlobalSecondaryIndexes"], []any{map[string]any{
			"IndexName":  indexByProgram,
			"KeySchema":  []any{key(indexKeyPK, "HASH"), key(indexKeySK, "RANGE")},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}}},
		{"point_in_time_recovery", p["PointInTimeRecoverySpecification"], map[string]any{"PointInTimeRecoveryEnabled": true}},
		{"ttl", p["TimeToLiveSpecification"], map[string]any{"AttributeName": tableTTL, "Enabled": true}},
		{"encrypted", p["SSESpecification"], map[string]any{"SSEEnabled": true}},
		{"deletion_protection", p["DeletionProtectionEnabled"], true},
		{"not_pre_warmed_by_default", p["WarmThroughput"], nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("table %s (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// TestWarmThroughput: `-c warmWrites=… -c warmReads=…` pre-warm the table
// and its index alike; one setting alone sets only its half.
func TestWarmThroughput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		context map[string]any
		want    map[string]any
	}{
		{"writes_and_reads", map[string]any{"warmWrites": "40000", "warmReads": "60000"},
			map[string]any{"WriteUnitsPerSecond": float64(40000), "ReadUnitsPerSecond": float64(60000)}},
		{"writes_only", map[string]any{"warmWrites": 20000}, map[string]any{"WriteUnitsPerSecond": float64(20000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.context
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
			s, err := settingsFrom(app.Node())
			if err != nil {
				t.Fatal(err)
			}
			st := awscdk.NewStack(app, jsii.String("WarmTable"), nil)
			newTable(st, s)
			var doc struct {
				Resources map[string]struct {
					Type       string
					Properties map[string]any
				}
			}
			data, err := json.Marshal(assertions.Template_FromStack(st, nil).ToJSON())
			if err == nil {
				err = json.Unmarshal(data, &doc)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range doc.Resources {
				if r.Type != "AWS::DynamoDB::Table" {
					continue
				}
				if diff := cmp.Diff(tc.want, r.Properties["WarmThroughput"]); diff != "" {
					t.Errorf("table WarmThroughput (-want +got):\n%s", diff)
				}
				gsis, _ := r.Properties["GlobalSecondaryIndexes"].([]any)
				if len(gsis) != 1 {
					t.Fatalf("%d indexes, want 1", len(gsis))
				}
				if diff := cmp.Diff(tc.want, gsis[0].(map[string]any)["WarmThroughput"]); diff != "" {
					t.Errorf("index %s WarmThroughput (-want +got):\n%s", indexByProgram, diff)
				}
				return
			}
			t.Fatal("no table")
		})
	}
}

func TestFunctions(t *testing.T) {
	s := stack(t)
	assets := map[string]string{}
	for _, name := range goFunctions {
		fn := s.function(t, name)
		p := fn.Properties
		t.Run(name+"/arm64_provided_al2023", func(t *testing.T) {
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" {
				t.Errorf("runtime %v handler %v, want provided.al2023 bootstrap", p["Runtime"], p["Handler"])
			}
			if diff := cmp.Diff([]any{"arm64"}, p["Architectures"]); diff != "" {
				t.Errorf("architectures (-want +got):\n%s", diff)
			}
		})
		t.Run(name+"/xray_active", func(t *testing.T) {
			if diff := cmp.Diff(map[string]any{"Mode": "Active"}, p["TracingConfig"]); diff != "" {
				t.Errorf("TracingConfig (-want +got):\n%s", diff)
			}
		})
		t.Run(name+"/X3_json_logs_to_own_log_group", func(t *testing.T) {
			lc, _ := p["LoggingConfig"].(map[string]any)
			if lc["LogFormat"] != "JSON" || lc["ApplicationLogLevel"] != "INFO" {
				t.Errorf("LoggingConfig = %v, want JSON at INFO", lc)
			}
			group, _ := lc["LogGroup"].(map[string]any)["Ref"].(string)
			if r := s.resource(t, group); r.Type != "AWS::Logs::LogGroup" || r.Properties["RetentionInDays"] == nil {
				t.Errorf("log group %s = %v, want a log group with a retention", group, r.Properties)
			}
		})
		t.Run(name+"/sized", func(t *testing.T) {
			mem, _ := p["MemorySize"].(float64)
			timeout, _ := p["Timeout"].(float64)
			if mem < 256 || timeout < 10 || timeout > 900 {
				t.Errorf("memory %v MB timeout %v s, want ≥ 256 MB and 10–900 s", mem, timeout)
			}
		})
		// SAM finds the code through the asset metadata; the asset must be
		// this function's own dist/ folder.
		t.Run(name+"/asset_is_its_make_build_output", func(t *testing.T) {
			if fn.Metadata["aws:asset:property"] != "Code" {
				t.Fatalf("aws:asset:property = %v, want Code", fn.Metadata["aws:asset:property"])
			}
			asset, _ := fn.Metadata["aws:asset:path"].(string)
			data, err := os.ReadFile(filepath.Join(s.outdir, asset, "bootstrap"))
			if err != nil {
				t.Fatalf("asset %q: %v", asset, err)
			}
			if want := "# " + name + "\n"; !strings.HasSuffix(string(data), want) {
				t.Errorf("asset bootstrap = %q, want the one of dist/%s", data, name)
			}
			assets[name] = asset
		})
	}
	if api := s.function(t, fnAPI); api.Properties["Timeout"].(float64) >= 30 {
		t.Errorf("api timeout = %v s, want under API Gateway's 30 s", api.Properties["Timeout"])
	}
}

func TestFunctionEnvironment(t *testing.T) {
	s := stack(t)
	table := s.resources("AWS::DynamoDB::Table")[0].ID
	bucket := s.resources("AWS::S3::Bucket")[0].ID
	api := s.resources("AWS::ApiGatewayV2::Api")[0].ID
	sm := s.resources("AWS::StepFunctions::StateMachine")[0].ID
	common := func() map[string]any {
		return map[string]any{
			envTable:     ref(table),
			envBucket:    ref(bucket),
			envMailFrom:  ref("MailFrom"),
			envPublicURL: getAtt(api, "ApiEndpoint"),
		}
	}
	want := map[string]map[string]any{}
	for _, name := range goFunctions {
		want[name] = common()
	}
	want[fnAPI][envStateMachine] = ref(sm)
	want[fnParse][envStateMachine] = ref(sm) // a pushed file's run (I2)
	want[fnPrepare][envBatchSize] = "500"
	want[fnAPI]["COGNITO_CLIENT_ID"] = ref(s.resources("AWS::Cognito::UserPoolClient")[0].ID)
	for _, name := range goFunctions {
		t.Run(name, func(t *testing.T) {
			env, _ := s.function(t, name).Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
			if name == fnAPI {
				// The page's hosted UI and upload origin: TestPageRoutes.
				env = maps.Clone(env)
				delete(env, "COGNITO_DOMAIN")
				delete(env, "UPLOAD_ORIGIN")
			}
			if diff := cmp.Diff(want[name], env); diff != "" {
				t.Errorf("%s environment (-want +got):\n%s", name, diff)
			}
		})
	}
}

func TestBucketNotifiesParse(t *testing.T) {
	s := stack(t)
	parse := s.function(t, fnParse).ID
	n := s.resources("Custom::S3BucketNotifications")
	if len(n) != 1 {
		t.Fatalf("%d bucket notification resources, want 1", len(n))
	}
	cfgs := n[0].Properties["NotificationConfiguration"].(map[string]any)["LambdaFunctionConfigurations"].([]any)
	var got []string
	for _, c := range cfgs {
		c := c.(map[string]any)
		if diff := cmp.Diff(getAtt(parse, "Arn"), c["LambdaFunctionArn"]); diff != "" {
			t.Errorf("notification target (-want +got):\n%s", diff)
		}
		if c["Events"].([]any)[0] != "s3:ObjectCreated:*" {
			t.Errorf("notification events = %v, want s3:ObjectCreated:*", c["Events"])
		}
		for _, r := range c["Filter"].(map[string]any)["Key"].(map[string]any)["FilterRules"].([]any) {
			r := r.(map[string]any)
			got = append(got, r["Name"].(string)+"="+r["Value"].(string))
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"prefix=" + prefixInbound, "prefix=" + prefixUploads}, got); diff != "" {
		t.Errorf("notification filters (-want +got):\n%s", diff)
	}
}

func TestAPI(t *testing.T) {
	s := stack(t)
	auths := s.resources("AWS::ApiGatewayV2::Authorizer")
	if len(auths) != 1 {
		t.Fatalf("%d authorizers, want 1", len(auths))
	}
	pool := s.resources("AWS::Cognito::UserPool")[0].ID
	client := s.resources("AWS::Cognito::UserPoolClient")[0].ID
	t.Run("X1_authorizer_is_the_user_pools_JWT", func(t *testing.T) {
		p := auths[0].Properties
		if p["AuthorizerType"] != "JWT" {
			t.Errorf("AuthorizerType = %v, want JWT", p["AuthorizerType"])
		}
		jwt := p["JwtConfiguration"].(map[string]any)
		if diff := cmp.Diff([]any{ref(client)}, jwt["Audience"]); diff != "" {
			t.Errorf("JWT audience (-want +got):\n%s", diff)
		}
		if issuer, _ := json.Marshal(jwt["Issuer"]); !strings.Contains(string(issuer), "cognito-idp") || !strings.Contains(string(issuer), pool) {
			t.Errorf("JWT issuer = %s, want the user pool's", issuer)
		}
	})
	t.Run("X1_admins_are_a_group_of_the_pool", func(t *testing.T) {
		groups := s.resources("AWS::Cognito::UserPoolGroup")
		if len(groups) != 1 || groups[0].Properties["GroupName"] != "admin" {
			t.Fatalf("user pool groups = %+v, want one named admin", groups)
		}
		if diff := cmp.Diff(ref(pool), groups[0].Properties["UserPoolId"]); diff != "" {
			t.Errorf("admin group's pool (-want +got):\n%s", diff)
		}
	})
	t.Run("X1_every_route_needs_the_JWT", func(t *testing.T) {
		routes := s.resources("AWS::ApiGatewayV2::Route")
		if len(routes) == 0 {
			t.Fatal("no routes")
		}
		for _, r := range routes {
			key := r.Properties["RouteKey"].(string)
			if isPageRoute(key) {
				continue // TestPageRoutes
			}
			if r.Properties["AuthorizationType"] != "JWT" {
				t.Errorf("route %s AuthorizationType = %v, want JWT", key, r.Properties["AuthorizationType"])
			}
			if diff := cmp.Diff(ref(auths[0].ID), r.Properties["AuthorizerId"]); diff != "" {
				t.Errorf("route %s authorizer (-want +got):\n%s", key, diff)
			}
			if !strings.HasSuffix(key, " /v1/{proxy+}") || strings.HasPrefix(key, "OPTIONS") || strings.HasPrefix(key, "ANY") {
				t.Errorf("route %s, want a method of /v1/{proxy+}, not OPTIONS or ANY (API Gateway answers preflights)", key)
			}
		}
	})
	t.Run("routes_go_to_the_api_function", func(t *testing.T) {
		api := s.function(t, fnAPI).ID
		for _, in := range s.resources("AWS::ApiGatewayV2::Integration") {
			if diff := cmp.Diff(getAtt(api, "Arn"), in.Properties["IntegrationUri"]); diff != "" {
				t.Errorf("integration %s target (-want +got):\n%s", in.ID, diff)
			}
		}
	})
	t.Run("X1_users_cannot_write_their_tenant_or_programs", func(t *testing.T) {
		c := s.resource(t, client).Properties
		for _, attr := range c["WriteAttributes"].([]any) {
			if strings.HasPrefix(attr.(string), "custom:") {
				t.Errorf("client may write %s", attr)
			}
		}
		up := s.resource(t, pool).Properties
		if up["AdminCreateUserConfig"].(map[string]any)["AllowAdminCreateUserOnly"] != true {
			t.Error("user pool allows self sign-up")
		}
		var custom []string
		for _, a := range up["Schema"].([]any) {
			custom = append(custom, a.(map[string]any)["Name"].(string))
		}
		slices.Sort(custom)
		if diff := cmp.Diff([]string{"programs", "tenant"}, custom); diff != "" {
			t.Errorf("custom attributes (-want +got):\n%s", diff)
		}
	})
	t.Run("X1_ID_token_carries_tenant_and_programs_claims", func(t *testing.T) {
		trigger, _ := s.resource(t, pool).Properties["LambdaConfig"].(map[string]any)["PreTokenGeneration"].(map[string]any)
		if trigger == nil {
			t.Fatal("no pre token generation trigger")
		}
		fn := s.resource(t, trigger["Fn::GetAtt"].([]any)[0].(string)).Properties
		code := fn["Code"].(map[string]any)["ZipFile"].(string)
		for _, claim := range []string{`tenant: a["custom:tenant"]`, `programs: a["custom:programs"]`} {
			if !strings.Contains(code, claim) {
				t.Errorf("claims trigger lacks %s", claim)
			}
		}
	})
}

// policy is the statements of every IAM policy attached to a role.
type statement struct {
	Effect   string
	Actions  []string
	Resource any
}

func (s synthesized) roleStatements(t *testing.T, fn resource) []statement {
	t.Helper()
	role := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	var out []statement
	for _, p := range s.resources("AWS::IAM::Policy") {
		if !slices.ContainsFunc(p.Properties["Roles"].([]any), func(r any) bool { return cmp.Equal(r, ref(role)) }) {
			continue
		}
		for _, st := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			var actions []string
			switch a := st["Action"].(type) {
			case string:
				actions = []string{a}
			case []any:
				for _, x := range a {
					actions = append(actions, x.(string))
				}
			}
			out = append(out, statement{Effect: st["Effect"].(string), Actions: actions, Resource: st["Resource"]})
		}
	}
	if r := s.resource(t, role); r.Properties["Policies"] != nil {
		t.Errorf("role %s has inline policies outside the tests' view", role)
	}
	return out
}

func TestLeastPrivilege(t *testing.T) {
	s := stack(t)
	sm := s.resources("AWS::StepFunctions::StateMachine")[0].ID
	identity := s.resources("AWS::SES::EmailIdentity")[0].ID
	table := s.resources("AWS::DynamoDB::Table")[0].ID
	bucket := s.resources("AWS::S3::Bucket")[0].ID
	parseFailures := s.resources("AWS::SQS::Queue")[0].ID
	mailers := []string{fnParse, fnApply, fnFinalize, fnWatchdog}
	for _, name := range goFunctions {
		sts := s.roleStatements(t, s.function(t, name))
		t.Run(name+"/starts_runs_only_if_api_or_parse", func(t *testing.T) {
			var starts []statement
			for _, st := range sts {
				if slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "states:") }) {
					starts = append(starts, st)
				}
			}
			if name != fnAPI && name != fnParse {
				if len(starts) > 0 {
					t.Errorf("%s may %v", name, starts)
				}
				return
			}
			if diff := cmp.Diff([]statement{{Effect: "Allow", Actions: []string{"states:StartExecution"}, Resource: ref(sm)}}, starts); diff != "" {
				t.Errorf("%s's Step Functions grants (-want +got):\n%s", name, diff)
			}
		})
		t.Run(name+"/no_wildcards_or_bucket_admin", func(t *testing.T) {
			for _, st := range sts {
				for _, a := range st.Actions {
					if a == "*" || strings.HasSuffix(a, ":*") || strings.HasPrefix(a, "s3:PutBucket") || strings.HasPrefix(a, "s3:Delete") ||
						strings.HasPrefix(a, "iam:") || a == "dynamodb:DeleteTable" {
						t.Errorf("%s may %s", name, a)
					}
				}
				if st.Resource == "*" && !slices.Equal(st.Actions, []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}) {
					t.Errorf("%s may %v on every resource", name, st.Actions)
				}
			}
		})
		t.Run(name+"/grants_scoped_to_the_stacks_resources", func(t *testing.T) {
			for _, st := range sts {
				res, _ := json.Marshal(st.Resource)
				service, _, _ := strings.Cut(st.Actions[0], ":")
				owner := map[string]string{"dynamodb": table, "s3": bucket, "ses": identity, "states": sm}[service]
				if service == "sqs" && name == fnParse {
					owner = parseFailures // its failure destination, and only there
				}
				if service != "xray" && (owner == "" || !strings.Contains(string(res), owner)) {
					t.Errorf("%s may %v on %s, want only %s's resource", name, st.Actions, res, service)
				}
			}
		})
		t.Run(name+"/sends_mail_only_as_the_identity", func(t *testing.T) {
			var ses []statement
			for _, st := range sts {
				if slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "ses:") }) {
					ses = append(ses, st)
				}
			}
			if !slices.Contains(mailers, name) {
				if len(ses) > 0 {
					t.Errorf("%s may %v", name, ses)
				}
				return
			}
			if len(ses) != 1 || !slices.Contains(ses[0].Actions, "ses:SendEmail") {
				t.Fatalf("%s SES grants = %v, want ses:SendEmail", name, ses)
			}
			if res, _ := json.Marshal(ses[0].Resource); !strings.Contains(string(res), ":identity/") || !strings.Contains(string(res), identity) {
				t.Errorf("%s sends mail as %s, want the email identity only", name, res)
			}
		})
	}
}

func TestStateMachine(t *testing.T) {
	s := stack(t)
	smRes, def := s.stateMachine(t)
	states := def["States"].(map[string]any)
	state := func(name string) map[string]any {
		t.Helper()
		st, ok := states[name].(map[string]any)
		if !ok {
			t.Fatalf("no state %q among %v", name, keys(states))
		}
		return st
	}
	fnARN := func(name string) string { return localARN(s.function(t, name).ID) }

	t.Run("shape_prepare_batches_finalize", func(t *testing.T) {
		got := []string{def["StartAt"].(string)}
		for st := state(got[0]); st["Next"] != nil; st = state(st["Next"].(string)) {
			got = append(got, st["Next"].(string))
		}
		if diff := cmp.Diff([]string{statePrepare, stateBatches, stateFinalize}, got); diff != "" {
			t.Errorf("main path (-want +got):\n%s", diff)
		}
		if state(stateFinalize)["End"] != true {
			t.Error("finalize does not end the execution")
		}
	})
	t.Run("batches_is_a_distributed_map_of_apply", func(t *testing.T) {
		m := state(stateBatches)
		if m["Type"] != "Map" || m["ItemsPath"] != "$.batches" {
			t.Errorf("batches Type %v ItemsPath %v, want Map over $.batches", m["Type"], m["ItemsPath"])
		}
		if m["MaxConcurrency"] != float64(s.settings.MaxConcurrency) {
			t.Errorf("MaxConcurrency = %v, want %d (context maxConcurrency)", m["MaxConcurrency"], s.settings.MaxConcurrency)
		}
		proc := m["ItemProcessor"].(map[string]any)
		if diff := cmp.Diff(map[string]any{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, proc["ProcessorConfig"]); diff != "" {
			t.Errorf("ProcessorConfig (-want +got):\n%s", diff)
		}
		apply := proc["States"].(map[string]any)[stateApply].(map[string]any)
		if proc["StartAt"] != stateApply || apply["Resource"] != fnARN(fnApply) || apply["End"] != true {
			t.Errorf("item processor = %v, want apply's function alone", proc)
		}
	})
	t.Run("tasks_invoke_their_function_with_payload_response_only", func(t *testing.T) {
		tasks := map[string]map[string]any{
			statePrepare:  state(statePrepare),
			stateApply:    state(stateBatches)["ItemProcessor"].(map[string]any)["States"].(map[string]any)[stateApply].(map[string]any),
			stateFinalize: state(stateFinalize),
			stateFail:     state(stateFail),
		}
		want := map[string]string{statePrepare: fnPrepare, stateApply: fnApply, stateFinalize: fnFinalize, stateFail: fnFinalize}
		for name, st := range tasks {
			// PayloadResponseOnly puts the function itself as Resource, not
			// the lambda:invoke integration and its {"Payload"} wrapper.
			if st["Resource"] != fnARN(want[name]) {
				t.Errorf("%s Resource = %v, want %s's ARN", name, st["Resource"], want[name])
			}
		}
		if diff := cmp.Diff(map[string]any{"tenant.$": "$.tenant", "importId.$": "$.importId"}, state(stateFinalize)["Parameters"]); diff != "" {
			t.Errorf("finalize Parameters (-want +got):\n%s", diff)
		}
	})
	t.Run("X4_retry_transient_and_lambda_errors", func(t *testing.T) {
		for _, name := range []string{statePrepare, stateFinalize, stateFail} {
			var errs []string
			for _, r := range state(name)["Retry"].([]any) {
				for _, e := range r.(map[string]any)["ErrorEquals"].([]any) {
					errs = append(errs, e.(string))
				}
			}
			for _, want := range []string{errTransient, "Lambda.ServiceException", "Lambda.TooManyRequestsException", "Sandbox.Timedout"} {
				if !slices.Contains(errs, want) {
					t.Errorf("%s retries %v, want %s among them", name, errs, want)
				}
			}
		}
	})
	t.Run("X4_any_error_ends_in_fail_then_failed", func(t *testing.T) {
		for _, name := range []string{statePrepare, stateBatches, stateFinalize} {
			want := []any{map[string]any{"ErrorEquals": []any{"States.ALL"}, "ResultPath": "$.error", "Next": stateFail}}
			if diff := cmp.Diff(want, state(name)["Catch"]); diff != "" {
				t.Errorf("%s Catch (-want +got):\n%s", name, diff)
			}
		}
		fail := state(stateFail)
		want := map[string]any{"tenant.$": "$.tenant", "importId.$": "$.importId", "error.$": "$.error"}
		if diff := cmp.Diff(want, fail["Parameters"]); diff != "" {
			t.Errorf("fail Parameters (-want +got):\n%s", diff)
		}
		if fail["Next"] != stateFailed || state(stateFailed)["Type"] != "Fail" {
			t.Errorf("fail goes to %v, want the Fail state %s", fail["Next"], stateFailed)
		}
	})
	t.Run("X3_logs_errors_without_execution_data_and_traces", func(t *testing.T) {
		p := smRes.Properties
		lc := p["LoggingConfiguration"].(map[string]any)
		if lc["Level"] != "ERROR" || lc["IncludeExecutionData"] != false {
			t.Errorf("LoggingConfiguration = %v, want ERROR without execution data", lc)
		}
		if diff := cmp.Diff(map[string]any{"Enabled": true}, p["TracingConfiguration"]); diff != "" {
			t.Errorf("TracingConfiguration (-want +got):\n%s", diff)
		}
	})
}

func TestAlarms(t *testing.T) {
	s := stack(t)
	sm := s.resources("AWS::StepFunctions::StateMachine")[0].ID
	var got []string
	for _, a := range s.resources("AWS::CloudWatch::Alarm") {
		p := a.Properties
		dims, _ := json.Marshal(p["Dimensions"])
		switch {
		case p["Namespace"] == "AWS/States" && strings.Contains(string(dims), sm):
			got = append(got, "states:"+p["MetricName"].(string))
		case p["Namespace"] == "AWS/SQS" && p["MetricName"] == "ApproximateNumberOfMessagesVisible":
			got = append(got, "sqs:parseFailures")
		case p["Namespace"] == "AWS/Lambda" && p["MetricName"] == "Errors":
			for _, name := range goFunctions {
				if strings.Contains(string(dims), s.function(t, name).ID) {
					got = append(got, "lambda:"+name)
				}
			}
		}
		if len(p["AlarmActions"].([]any)) == 0 {
			t.Errorf("alarm %s has no action", a.ID)
		}
	}
	slices.Sort(got)
	want := []string{"lambda:api", "lambda:apply", "lambda:finalize", "lambda:parse", "lambda:prepare", "lambda:watchdog", "sqs:parseFailures", "states:ExecutionsFailed", "states:ExecutionsTimedOut"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}
}

// TestParseFailuresAreKept: S3 invokes parse asynchronously; an event it
// still fails on after two retries goes to an encrypted, TLS-only queue
// (X4: no upload is left unnoticed).
func TestParseFailuresAreKept(t *testing.T) {
	s := stack(t)
	queues := s.resources("AWS::SQS::Queue")
	if len(queues) != 1 {
		t.Fatalf("queues = %d, want 1", len(queues))
	}
	q := queues[0]
	if q.Properties["SqsManagedSseEnabled"] != true {
		t.Errorf("queue %s is not encrypted: %v", q.ID, q.Properties)
	}
	has(t, "TLS-only queue policy", func() {
		s.tpl.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
			"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}}),
			})}),
		})
	})
	has(t, "parse's async failures go to the queue", func() {
		s.tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventInvokeConfig"), map[string]any{
			"FunctionName":         map[string]any{"Ref": s.function(t, "parse").ID},
			"MaximumRetryAttempts": 2,
			"DestinationConfig": map[string]any{"OnFailure": map[string]any{
				"Destination": map[string]any{"Fn::GetAtt": []any{q.ID, "Arn"}}}},
		})
	})
}

func TestOutputsAndNoHardCodedNames(t *testing.T) {
	s := stack(t)
	t.Run("outputs", func(t *testing.T) {
		for _, name := range []string{"ApiUrl", "BucketName", "TableName", "StateMachineArn", "UserPoolId", "UserPoolClientId"} {
			has(t, "output "+name, func() { s.tpl.HasOutput(jsii.String(name), map[string]any{"Value": assertions.Match_AnyValue()}) })
		}
	})
	t.Run("names_generated_by_CloudFormation", func(t *testing.T) {
		named := map[string]string{
			"AWS::S3::Bucket": "BucketName", "AWS::DynamoDB::Table": "TableName", "AWS::Lambda::Function": "FunctionName",
			"AWS::StepFunctions::StateMachine": "StateMachineName", "AWS::Cognito::UserPool": "UserPoolName",
			"AWS::IAM::Role": "RoleName", "AWS::Logs::LogGroup": "LogGroupName",
		}
		for typ, prop := range named {
			for _, r := range s.resources(typ) {
				if r.Properties[prop] != nil {
					t.Errorf("%s %s has a fixed %s %v", typ, r.ID, prop, r.Properties[prop])
				}
			}
		}
	})
	t.Run("no_account_ID", func(t *testing.T) {
		data, _ := json.Marshal(s.doc)
		if m := regexp.MustCompile(`\b\d{12}\b`).Find(data); m != nil {
			t.Errorf("template contains an account-like number %s", m)
		}
	})
	t.Run("mail_from_is_a_parameter", func(t *testing.T) {
		has(t, "MailFrom parameter", func() {
			s.tpl.HasParameter(jsii.String("MailFrom"), map[string]any{"Type": "String", "Default": assertions.Match_Absent()})
		})
	})
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func isPageRoute(key string) bool {
	for _, p := range pagePaths {
		if key == "GET "+p {
			return true
		}
	}
	return false
}

// TestPageRoutes: the admin page's routes need no authorizer (the browser
// loads the page before signing in, W9); every other route still does, and
// the page's client signs in with the code flow (PKCE, no secret).
func TestPageRoutes(t *testing.T) {
	s := stack(t)
	page, api := map[string]bool{}, 0
	for _, r := range s.resources("AWS::ApiGatewayV2::Route") {
		key := r.Properties["RouteKey"].(string)
		if isPageRoute(key) {
			page[key] = true
			if r.Properties["AuthorizationType"] != "NONE" || r.Properties["AuthorizerId"] != nil {
				t.Errorf("page route %s: AuthorizationType %v, authorizer %v; want NONE, none", key, r.Properties["AuthorizationType"], r.Properties["AuthorizerId"])
			}
			continue
		}
		api++
		if !strings.HasSuffix(key, " /v1/{proxy+}") || r.Properties["AuthorizationType"] != "JWT" {
			t.Errorf("route %s (%v): only the page's routes may go without the JWT authorizer", key, r.Properties["AuthorizationType"])
		}
	}
	if len(page) != len(pagePaths) || api == 0 {
		t.Errorf("page routes %v, API routes %d; want %v and some", page, api, pagePaths)
	}
	c := s.resources("AWS::Cognito::UserPoolClient")[0].Properties
	if diff := cmp.Diff([]any{"code"}, c["AllowedOAuthFlows"]); diff != "" {
		t.Errorf("OAuth flows (-want +got):\n%s", diff)
	}
	if c["GenerateSecret"] != false || c["AllowedOAuthFlowsUserPoolClient"] != true {
		t.Errorf("page client: GenerateSecret %v, AllowedOAuthFlowsUserPoolClient %v; want a public client with OAuth", c["GenerateSecret"], c["AllowedOAuthFlowsUserPoolClient"])
	}
	if cb, _ := json.Marshal(c["CallbackURLs"]); !strings.Contains(string(cb), "ApiEndpoint") {
		t.Errorf("callback URLs %s, want the page's URL on the API", cb)
	}
	if len(s.resources("AWS::Cognito::UserPoolDomain")) != 1 {
		t.Error("no hosted UI domain")
	}
	env := s.function(t, fnAPI).Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	for _, k := range []string{"COGNITO_DOMAIN", "COGNITO_CLIENT_ID", "UPLOAD_ORIGIN"} {
		if env[k] == nil {
			t.Errorf("api function lacks %s", k)
		}
	}
}
