// Package lambdatest runs a built Lambda bootstrap locally for tests: a
// small server of the Lambda runtime API (2018-06-01) that starts the
// binary as a child process and hands it one invocation at a time, as the
// Lambda service does. It is a test helper, not part of the product.
package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// DefaultTimeout is an invocation's deadline when Options.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Options configure a Function.
type Options struct {
	// Name is AWS_LAMBDA_FUNCTION_NAME (default: the binary's directory).
	Name string
	// Env is added to the function's environment (KEY=VALUE). Nothing of
	// the test process's environment is passed on but PATH and TMPDIR.
	Env []string
	// Timeout is each invocation's deadline (default DefaultTimeout).
	Timeout time.Duration
	// Output also receives the function's stdout and stderr (its logs).
	Output io.Writer
}

// Function is a bootstrap running against a local runtime API.
type Function struct {
	name    string
	timeout time.Duration
	srv     *http.Server
	ln      net.Listener
	cmd     *exec.Cmd
	logs    lockedBuffer

	invokeMu sync.Mutex // one invocation at a time, as in one sandbox
	queue    chan *invocation
	exited   chan struct{}
	waitErr  error

	mu      sync.Mutex
	pending map[string]*invocation
	initErr []byte
	seq     int
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan outcome
}

type outcome struct {
	body    []byte
	errType string
}

// Build compiles main packages (import paths or ./dir patterns resolved
// from the current directory) for this machine with -tags lambda.norpc,
// as `make build` does for Lambda, and returns each binary's path by the
// package's last path element.
func Build(ctx context.Context, outDir string, pkgs ...string) (map[string]string, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return nil, ErrNoGo
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	args := append([]string{"build", "-tags", "lambda.norpc", "-o", outDir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %v: %w\n%s", pkgs, err, out)
	}
	bins := map[string]string{}
	for _, p := range pkgs {
		name := filepath.Base(p)
		path := filepath.Join(outDir, name)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("go build %s: no binary: %w", p, err)
		}
		bins[name] = path
	}
	return bins, nil
}

// Start serves the runtime API on a free loopback port and starts the
// bootstrap at path against it.
func Start(path string, opt Options) (*Function, error) {
	if opt.Name == "" {
		opt.Name = filepath.Base(filepath.Dir(path))
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	f := &Function{
		name: opt.Name, timeout: opt.Timeout, ln: ln,
		queue: make(chan *invocation), exited: make(chan struct{}),
		pending: map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", f.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", f.respond)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", f.fail)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", f.initError)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go f.srv.Serve(ln)

	cmd := exec.Command(path)
	cmd.Dir = filepath.Dir(path)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=" + opt.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + opt.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=" + cmd.Dir,
		"TZ=UTC",
		"PATH=" + os.Getenv("PATH"),
		"TMPDIR=" + os.TempDir(),
	}
	cmd.Env = append(cmd.Env, opt.Env...)
	var out io.Writer = &f.logs
	if opt.Output != nil {
		out = io.MultiWriter(&f.logs, opt.Output)
	}
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		f.srv.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	f.cmd = cmd
	go func() {
		f.waitErr = cmd.Wait()
		close(f.exited)
	}()
	return f, nil
}

// Invoke runs one invocation and returns the function's response. When the
// handler returned an error, errType is its errorType (the Go type name)
// and result is the error document {"errorMessage","errorType",...}. err
// is for what a Lambda caller would see as a service fault: the process
// exited, failed to start, or the deadline passed.
func (f *Function) Invoke(ctx context.Context, payload []byte) (result []byte, errType string, err error) {
	f.invokeMu.Lock()
	defer f.invokeMu.Unlock()
	f.mu.Lock()
	f.seq++
	inv := &invocation{
		id:       fmt.Sprintf("%s-%08d", f.name, f.seq),
		payload:  payload,
		deadline: time.Now().Add(f.timeout),
		done:     make(chan outcome, 1),
	}
	f.pending[inv.id] = inv
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.pending, inv.id)
		f.mu.Unlock()
	}()
	timer := time.NewTimer(f.timeout)
	defer timer.Stop()
	select {
	case f.queue <- inv:
	case <-f.exited:
		return nil, "", f.exitError()
	case <-ctx.Done():
		return nil, "", ctx.Err()
	case <-timer.C:
		return nil, "", fmt.Errorf("%s did not ask for an invocation within %v", f.name, f.timeout)
	}
	select {
	case o := <-inv.done:
		return o.body, o.errType, nil
	case <-f.exited:
		return nil, "", f.exitError()
	case <-ctx.Done():
		return nil, "", ctx.Err()
	case <-timer.C:
		return nil, "", fmt.Errorf("%s: invocation %s timed out after %v", f.name, inv.id, f.timeout)
	}
}

func (f *Function) exitError() error {
	f.mu.Lock()
	initErr := f.initErr
	f.mu.Unlock()
	msg := fmt.Sprintf("%s exited (%v)", f.name, f.waitErr)
	if initErr != nil {
		msg += "; init error: " + string(initErr)
	}
	return fmt.Errorf("%s; output:\n%s", msg, f.logs.String())
}

// Logs returns what the function has written to stdout and stderr.
func (f *Function) Logs() string { return f.logs.String() }

// Close stops the process and the server.
func (f *Function) Close() error {
	if f.cmd != nil && f.cmd.Process != nil {
		select {
		case <-f.exited:
		default:
			_ = f.cmd.Process.Kill()
			<-f.exited
		}
	}
	return f.srv.Close()
}

func (f *Function) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-f.queue:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:"+f.name)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

func (f *Function) finish(w http.ResponseWriter, r *http.Request, errType func(body []byte) string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	inv := f.pending[r.PathValue("id")]
	f.mu.Unlock()
	if inv == nil {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`))
		return
	}
	o := outcome{body: body}
	if errType != nil {
		o.errType = errType(body)
	}
	select {
	case inv.done <- o:
		w.WriteHeader(http.StatusAccepted)
	default:
		w.WriteHeader(http.StatusBadRequest) // answered twice
	}
}

func (f *Function) respond(w http.ResponseWriter, r *http.Request) { f.finish(w, r, nil) }

func (f *Function) fail(w http.ResponseWriter, r *http.Request) {
	header := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	f.finish(w, r, func(body []byte) string {
		var doc struct {
			ErrorType string `json:"errorType"`
		}
		if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
			return doc.ErrorType
		}
		if header != "" {
			return header
		}
		return "Unhandled"
	})
}

func (f *Function) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.initErr = body
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// lockedBuffer collects output written from the process's pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ErrNoGo is returned by Build when the go command is not on PATH.
var ErrNoGo = errors.New("the go command is not on PATH")
