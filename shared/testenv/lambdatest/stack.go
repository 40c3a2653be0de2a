package lambdatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterhq/roster/shared/blob/s3blob"
	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

// StateMachineARN is the state machine the stack's Step Functions
// recorder accepts executions of.
const StateMachineARN = "arn:aws:states:us-east-1:000000000000:stateMachine:roster-import"

// Stack is a fresh DynamoDB table and S3 bucket on the local servers of
// awstest, an SES recorder, a Step Functions recorder, and the environment
// a function needs to use them. Without DynamoDB Local the test is
// skipped, or fails when CI=true.
type Stack struct {
	Env map[string]string // the functions' environment
	SES string            // SES endpoint; awstest.SentEmails reads it
	SFN *SFNRecorder
}

// NewStack creates the table and bucket and returns the stack.
func NewStack(t testing.TB) *Stack {
	t.Helper()
	ddb, s3ep, sesEP := awstest.DynamoDB(t), awstest.S3(t), awstest.SES(t)
	sfn := &SFNRecorder{}
	srv := httptest.NewServer(sfn)
	t.Cleanup(srv.Close)
	suffix := randomSuffix()
	table, bucket := "roster-"+suffix, "roster-"+suffix
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awsCfg := awstest.Config()
	if err := dynamo.CreateTable(ctx, dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = &ddb }), table); err != nil {
		t.Fatalf("create table: %v", err)
	}
	s3c := s3blob.NewClient(awsCfg, func(o *s3.Options) { o.BaseEndpoint = &s3ep })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return &Stack{
		SES: sesEP,
		SFN: sfn,
		Env: map[string]string{
			config.EnvTable:             table,
			config.EnvBucket:            bucket,
			config.EnvMailFrom:          "roster@roster.example",
			config.EnvPublicURL:         "https://api.roster.example",
			config.EnvStateMachine:      StateMachineARN,
			config.EnvSendRate:          "1000",
			"AWS_ENDPOINT_URL_DYNAMODB": ddb,
			config.EnvEndpointS3:        s3ep,
			"AWS_ENDPOINT_URL_SES":      sesEP,
			"AWS_ENDPOINT_URL_SFN":      srv.URL,
			"AWS_REGION":                awsCfg.Region,
			"AWS_ACCESS_KEY_ID":         "local",
			"AWS_SECRET_ACCESS_KEY":     "local",
			// No shared config or IMDS lookups on a test machine.
			"AWS_EC2_METADATA_DISABLED":   "true",
			"AWS_CONFIG_FILE":             "/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		},
	}
}

// Getenv reads the stack's environment, as config.Load wants it.
func (s *Stack) Getenv(name string) string { return s.Env[name] }

// Environ returns the environment as KEY=VALUE, sorted.
func (s *Stack) Environ() []string {
	var out []string
	for k, v := range s.Env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Setenv sets the stack's environment in the test process for the test's
// duration, so that config.LoadBackend finds the endpoints as a function
// does.
func (s *Stack) Setenv(t *testing.T) {
	for k, v := range s.Env {
		t.Setenv(k, v)
	}
}

// Backend sets the environment (Setenv), loads the config from it and
// builds the backend as a function's main does.
func (s *Stack) Backend(t *testing.T) (config.Config, *config.Backend) {
	t.Helper()
	s.Setenv(t)
	cfg, err := config.Load(s.Getenv)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	b, err := config.LoadBackend(context.Background(), cfg)
	if err != nil {
		t.Fatalf("config.LoadBackend: %v", err)
	}
	return cfg, b
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SFNRecorder answers Step Functions' StartExecution (JSON 1.0 protocol)
// and records each execution, refusing a name used twice as the service
// does. Tests run the steps themselves from the recorded input.
type SFNRecorder struct {
	mu         sync.Mutex
	executions []Execution
}

// Execution is one StartExecution the recorder accepted.
type Execution struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Input           string `json:"input"`
}

// Executions returns the executions started so far.
func (r *SFNRecorder) Executions() []Execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Execution(nil), r.executions...)
}

func (r *SFNRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if req.Header.Get("X-Amz-Target") != "AWSStepFunctions.StartExecution" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"UnknownOperationException","message":"only StartExecution is recorded"}`)
		return
	}
	var ex Execution
	if err := json.NewDecoder(req.Body).Decode(&ex); err != nil || ex.Name == "" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"ValidationException","message":"bad StartExecution request"}`)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.executions {
		if e.Name == ex.Name {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ExecutionAlreadyExists","message":"Execution Already Exists: '`+ex.Name+`'"}`)
			return
		}
	}
	r.executions = append(r.executions, ex)
	json.NewEncoder(w).Encode(map[string]any{
		"executionArn": "arn:aws:states:us-east-1:000000000000:execution:roster-import:" + ex.Name,
		"startDate":    float64(time.Now().Unix()),
	})
}
