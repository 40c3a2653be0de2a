package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// crashRows is how many new participants the crash tests import: enough
// batches that a kill lands mid-run.
const crashRows = 20000

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// removeBinary removes the built binary once the tests are done.
func removeBinary() {
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
}

// binary builds the real roster command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "roster-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "roster")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// proc is one child roster process.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	lines  chan string // stderr, line by line
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stdout: &syncBuffer{}, lines: make(chan string, 1024)}
	p.cmd.Stdout = p.stdout
	p.cmd.Env = append(os.Environ(), "ROSTER_DATA=")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody reads: drop
			}
		}
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

// runBin runs the binary to its end and returns stdout; stderr is in err.
func runBin(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ROSTER_DATA=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("roster %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

func newParticipantsCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Email,City\n")
	for i := range n {
		fmt.Fprintf(&b, "member%06d@example.com,Town %d\n", i, i%97)
	}
	path := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var appliedLine = regexp.MustCompile(`^applied (\d+) of (\d+) batches$`)

// waitApplied reads progress lines until at least n batches are applied.
func (p *proc) waitApplied(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("roster ended before %d batches were applied: %s", n, p.stdout.String())
			}
			m := appliedLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			done, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			if done >= total {
				t.Fatalf("the run finished (%s) before the kill: import more rows", line)
			}
			if done >= n {
				return
			}
		case <-timeout:
			t.Fatalf("no progress to %d batches", n)
		}
	}
}

// checkFinished checks the outcome of a resumed run of crashRows new rows:
// completed as an uninterrupted run (every row created once), and every
// participant invited exactly once (A10, A11, X4).
func checkFinished(t *testing.T, bin, data, id string) {
	t.Helper()
	ims := listImports(t, bin, data)
	if len(ims) != 1 || ims[0].ImportID != id || ims[0].Status != "completed" {
		t.Fatalf("imports = %+v, want import %s completed", ims, id)
	}
	wantCounts(t, ims[0].Counts, roster.Counts{Created: crashRows})
	if ims[0].StartedAt == nil || ims[0].FinishedAt == nil {
		t.Errorf("imports: startedAt %v, finishedAt %v, want both", ims[0].StartedAt, ims[0].FinishedAt)
	}
	out, err := runBin(t, bin, "participants", "--data", data, "--program", "p1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ps []participantJSON
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, p := range ps {
		seen[p.Email]++
	}
	if len(ps) != crashRows || len(seen) != crashRows {
		t.Errorf("%d participants, %d distinct emails, want %d of each", len(ps), len(seen), crashRows)
	}
	invited := map[string]int{}
	entries, err := os.ReadDir(filepath.Join(data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), ".") {
			continue // a killed send's temporary file: never delivered
		}
		b, err := os.ReadFile(filepath.Join(data, "outbox", en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var m outboxJSON
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("outbox message %s: %v", en.Name(), err)
		}
		if strings.Contains(m.Subject, "invited") {
			invited[strings.Join(m.To, ",")]++
		}
	}
	var missing, twice int
	for email := range seen {
		switch invited[email] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 || len(invited) != crashRows {
		t.Errorf("invitations: %d participants never invited, %d invited more than once, %d invited in all; want each of %d once", missing, twice, len(invited), crashRows)
	}
}

func putProgram(t *testing.T, bin, data string) {
	t.Helper()
	prog := filepath.Join(t.TempDir(), "program.json")
	if err := os.WriteFile(prog, []byte(programJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runBin(t, bin, "program", "put", "--data", data, prog); err != nil {
		t.Fatal(err)
	}
}

// TestKilledImportResumes kills a real `roster import --notify` with SIGKILL
// mid-run; `roster imports` then shows it interrupted, and `roster imports
// resume` finishes it: every row once, every invitation once (X4, A10, A11).
func TestKilledImportResumes(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	putProgram(t, bin, data)
	csv := newParticipantsCSV(t, crashRows)

	p := startProc(t, bin, "import", "--data", data, "--program", "p1", "--role", "mentee", "--notify", "--json", csv)
	p.waitApplied(t, 3)
	p.kill(t)

	id := resumeInterrupted(t, bin, data)

	if _, err := runBin(t, bin, "imports", "resume", "--data", data, "--import", id); err == nil || !strings.Contains(err.Error(), "only an interrupted or failed run can be resumed") {
		t.Errorf("resume of a completed import: %v, want a refusal", err)
	}
}

// TestInterruptedImportPrintsOneLine: Ctrl-C (SIGINT) on `roster import`
// leaves the import interrupted and prints one line saying how to resume
// (defect 7).
func TestInterruptedImportPrintsOneLine(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	putProgram(t, bin, data)
	p := startProc(t, bin, "import", "--data", data, "--program", "p1", "--role", "mentee", "--notify", newParticipantsCSV(t, crashRows))
	p.waitApplied(t, 2)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line := range p.lines {
		if !appliedLine.MatchString(line) {
			rest = append(rest, line)
		}
	}
	err := p.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit after SIGINT = %v, want status 130", err)
	}
	if len(rest) != 1 || !strings.Contains(rest[0], "roster imports resume --data "+data+" --import imp") {
		t.Fatalf("stderr after SIGINT = %q, want one line saying how to resume", rest)
	}
	id := regexp.MustCompile(`--import (\S+)`).FindStringSubmatch(rest[0])[1]
	out, err := runBin(t, bin, "imports", "--data", data, "--program", "p1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"status": "interrupted"`) {
		t.Fatalf("imports after SIGINT:\n%s\nwant the import interrupted", out)
	}
	if _, err := runBin(t, bin, "imports", "resume", "--data", data, "--import", id); err != nil {
		t.Fatal(err)
	}
	checkFinished(t, bin, data, id)
}

// TestKilledServeResumes kills `roster serve` with SIGKILL during an
// API-started run; started again, serve resumes the run, and after a
// Ctrl-C and a third start finishes it (X4, A10).
func TestKilledServeResumes(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	serve := func() (*proc, *served) {
		p := startProc(t, bin, "serve", "--data", data, "--addr", "127.0.0.1:0")
		printed := regexp.MustCompile(`(?s)serving (http://127\.0\.0\.1:\d+) .*export ROSTER_TOKEN=(\S+)\n`)
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if m := printed.FindStringSubmatch(p.stdout.String()); m != nil {
				return p, &served{base: m[1], token: m[2]}
			}
			if time.Now().After(deadline) {
				t.Fatalf("serve printed no address:\n%s", p.stdout.String())
			}
		}
	}
	p, s := serve()
	must := func(method, path, body string) []byte {
		t.Helper()
		code, got := s.call(t, method, path, s.token, body)
		if code >= 300 {
			t.Fatalf("%s %s = %d %s", method, path, code, got)
		}
		return got
	}
	must("PUT", "/v1/programs/p1", `{"name":"Mentoring","roles":["mentee","mentor"],"questions":[{"key":"city","label":"City","type":"text"}]}`)
	csv, err := os.ReadFile(newParticipantsCSV(t, crashRows))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"settings": map[string]any{"role": "mentee", "notify": true}, "text": string(csv)})
	var created struct {
		Import struct{ ID string }
	}
	if err := json.Unmarshal(must("POST", "/v1/programs/p1/imports", string(body)), &created); err != nil {
		t.Fatal(err)
	}
	id := created.Import.ID
	must("PUT", "/v1/imports/"+id+"/mapping", `{"sheets":[{"name":"pasted","headerRow":1,"mapping":["email","field:city"]}]}`)
	must("POST", "/v1/imports/"+id+"/start", "")
	// Kill once some invitations are out, mid-run.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		entries, _ := os.ReadDir(filepath.Join(data, "outbox"))
		if len(entries) > 1000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no invitations after 2 minutes")
		}
	}
	p.kill(t)

	// Started again, serve resumes the run; stopped with Ctrl-C, it stops
	// the run at once and leaves it interrupted.
	p, _ = serve()
	time.Sleep(200 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGINT during a run")
	}
	out, err := runBin(t, bin, "imports", "--data", data, "--program", "p1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	// The resumed run may also have finished within serve's shutdown grace
	// on a fast machine; either way it must not be left running.
	if !strings.Contains(out, `"status": "interrupted"`) && !strings.Contains(out, `"status": "completed"`) {
		t.Fatalf("after SIGINT of serve during a run, imports:\n%s\nwant the run interrupted (or completed within the grace)", out)
	}

	p, s = serve()
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		var im struct{ Status string }
		if err := json.Unmarshal(must("GET", "/v1/imports/"+id, ""), &im); err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(im.Status, "completed") {
			break
		}
		if !strings.EqualFold(im.Status, "running") || time.Now().After(deadline) {
			t.Fatalf("after the restart, import %s is %s, want it resumed to completed", id, im.Status)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	checkFinished(t, bin, data, id)
}

// resumeInterrupted finds the one import a SIGKILL left interrupted,
// resumes it, checks that every row was created once and that its run
// finished (A11), and returns its ID.
func resumeInterrupted(t *testing.T, bin, data string) string {
	t.Helper()
	ims := listImports(t, bin, data)
	if len(ims) != 1 || ims[0].Status != "interrupted" {
		t.Fatalf("after SIGKILL, imports = %+v, want one interrupted import", ims)
	}
	id := ims[0].ImportID
	out, err := runBin(t, bin, "imports", "resume", "--data", data, "--import", id, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("imports resume --json: %v\n%s", err, out)
	}
	if res.ImportID != id || res.Status != string(roster.ImportCompleted) {
		t.Fatalf("imports resume = %+v, want %s completed", res, id)
	}
	wantCounts(t, res.Counts, roster.Counts{Created: crashRows})
	checkFinished(t, bin, data, id)
	return id
}

// listImports is `roster imports --json` of program p1.
func listImports(t *testing.T, bin, data string) []importsEntry {
	t.Helper()
	out, err := runBin(t, bin, "imports", "--data", data, "--program", "p1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var ims []importsEntry
	if err := json.Unmarshal([]byte(out), &ims); err != nil {
		t.Fatalf("imports --json: %v\n%s", err, out)
	}
	return ims
}
