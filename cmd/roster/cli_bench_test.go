package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// cliBenchRowsEnv sets the data rows of BenchmarkCLI (default 100,000).
const cliBenchRowsEnv = "ROSTER_BENCH_ROWS"

// cliBenchProgram is the program of BenchmarkCLI's files: five answers
// after the email and the external ID.
const cliBenchProgram = `{"id": "bench", "name": "Bench", "roles": ["mentee"], "questions": [
  {"key": "firstName", "label": "First name", "type": "text"},
  {"key": "lastName", "label": "Last name", "type": "text"},
  {"key": "joined", "label": "Joined", "type": "date"},
  {"key": "score", "label": "Score", "type": "number"},
  {"key": "notes", "label": "Notes", "type": "text"}]}`

// BenchmarkCLI runs the built binary as a user does, on the embedded
// backend, each command under /usr/bin/time -v, on generated files of
// ROSTER_BENCH_ROWS new people in 7 columns (email, external ID, five
// answers):
//
//   - import-csv: `roster import` of the CSV into an empty data directory;
//   - unchanged: the same file again (every row unchanged);
//   - changed10: a copy with every tenth row's answer changed;
//   - participants: `roster participants --json` (the output is counted);
//   - export: `roster export` of the program;
//   - import-xlsx: the same rows as .xlsx into another empty directory.
//
// Each reports its wall seconds (-s) and peak RSS (-MB); dir-B/participant
// and db-B/participant are the data directory and its bbolt file after the
// first import, changed-dir-B/participant the directory after the 10%
// change; load1 is the 1-minute load average at the start (the machine is
// shared: wall times move with it).
//
//	ROSTER_BENCH_ROWS=1000000 go test -run='^$' -bench=CLI -benchtime=1x ./cmd/roster
func BenchmarkCLI(b *testing.B) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		b.Fatalf("BenchmarkCLI measures with /usr/bin/time -v (apt-get install time): %v", err)
	}
	rows := 100_000
	if s := os.Getenv(cliBenchRowsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of rows", cliBenchRowsEnv, s)
		}
		rows = n
	}
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "roster")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	program := filepath.Join(tmp, "program.json")
	if err := os.WriteFile(program, []byte(cliBenchProgram), 0o644); err != nil {
		b.Fatal(err)
	}
	csvNew := cliBenchCSV(b, rows, 0)
	csvChanged := cliBenchCSV(b, rows, 10)
	xlsx := cliBenchXLSX(b, rows)

	sum := map[string]float64{}
	add := func(name string, r timed) {
		sum[name+"-s"] += r.wall.Seconds()
		sum[name+"-MB"] += float64(r.maxRSSKB) / 1024
		sum[name+"-map-MB"] += float64(r.mapKB) / 1024
	}
	load := loadAverage(b)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "data")
		run(b, bin, io.Discard, "program", "put", "--data", dir, program)
		importArgs := []string{"import", "--data", dir, "--program", "bench", "--role", "mentee", "--json"}
		add("import-csv", runImport(b, bin, rows, "created", append(importArgs, csvNew)...))
		db, all := dirSize(b, dir)
		sum["dir-B/participant"] += float64(all) / float64(rows)
		sum["db-B/participant"] += float64(db) / float64(rows)
		add("unchanged", runImport(b, bin, rows, "unchanged", append(importArgs, csvNew)...))
		add("changed10", runImport(b, bin, rows/10, "updated", append(importArgs, csvChanged)...))
		_, all = dirSize(b, dir)
		sum["changed-dir-B/participant"] += float64(all) / float64(rows)

		var count participantCounter
		add("participants", run(b, bin, &count, "participants", "--data", dir, "--program", "bench", "--json"))
		if count.n != rows {
			b.Fatalf("participants --json listed %d participants, want %d", count.n, rows)
		}
		out := filepath.Join(b.TempDir(), "export.xlsx")
		add("export", run(b, bin, io.Discard, "export", "--data", dir, "--program", "bench", "--out", out))
		if st, err := os.Stat(out); err != nil || st.Size() < int64(rows)*10 {
			b.Fatalf("export wrote %v (%v), want a workbook of %d rows", st, err, rows)
		}
		os.RemoveAll(dir)

		xdir := filepath.Join(b.TempDir(), "data")
		run(b, bin, io.Discard, "program", "put", "--data", xdir, program)
		add("import-xlsx", runImport(b, bin, rows, "created",
			"import", "--data", xdir, "--program", "bench", "--role", "mentee", "--json", xlsx))
		os.RemoveAll(xdir)
	}
	for name, v := range sum {
		b.ReportMetric(v/float64(b.N), name)
	}
	b.ReportMetric(load, "load1")
	b.ReportMetric(0, "ns/op") // the commands above are the figures
}

// timed is one command's measure.
type timed struct {
	wall     time.Duration
	maxRSSKB int64
	mapKB    int64 // the most of bbolt's file map resident at once, sampled
}

var (
	maxRSSLine = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	wallLine   = regexp.MustCompile(`Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)`)
)

// run runs the binary under /usr/bin/time -v, its output to stdout, and
// returns what time measured.
func run(b *testing.B, bin string, stdout io.Writer, args ...string) timed {
	b.Helper()
	cmd := exec.Command("/usr/bin/time", append([]string{"-v", bin}, args...)...)
	// F8 counts the header: a million rows and their header need more.
	cmd.Env = append(os.Environ(), "ROSTER_MAX_ROWS=2000000")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	mapped := make(chan int64)
	go func() { mapped <- sampleMap(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	close(done)
	mapKB := <-mapped
	if err != nil {
		b.Fatalf("roster %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String()))
	}
	m, w := maxRSSLine.FindStringSubmatch(stderr.String()), wallLine.FindStringSubmatch(stderr.String())
	if m == nil || w == nil {
		b.Fatalf("no /usr/bin/time -v figures in:\n%s", tail(stderr.String()))
	}
	kb, _ := strconv.ParseInt(m[1], 10, 64)
	return timed{wall: parseClock(b, w[1]), maxRSSKB: kb, mapKB: mapKB}
}

// sampleMap polls, every 100 ms until done, the resident kilobytes of the
// roster.db mapping of time's child (the roster process), and returns the
// most seen: the part of the peak RSS that is the store's memory map.
func sampleMap(timePID int, done <-chan struct{}) int64 {
	var peak int64
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return peak
		case <-tick.C:
		}
		kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", timePID, timePID))
		if err != nil {
			continue
		}
		for _, pid := range strings.Fields(string(kids)) {
			peak = max(peak, mappedKB(pid, "/roster.db"))
		}
	}
}

// mappedKB sums the Rss of pid's mappings of a file whose path ends with
// suffix.
func mappedKB(pid, suffix string) int64 {
	raw, err := os.ReadFile("/proc/" + pid + "/smaps")
	if err != nil {
		return 0
	}
	var kb int64
	in := false
	for line := range strings.Lines(string(raw)) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-"): // a mapping's header
			in = len(f) >= 6 && strings.HasSuffix(f[len(f)-1], suffix)
		case in && len(f) >= 2 && f[0] == "Rss:":
			n, _ := strconv.ParseInt(f[1], 10, 64)
			kb += n
		}
	}
	return kb
}

// runImport runs `roster import --json` and checks that want rows got the
// action named.
func runImport(b *testing.B, bin string, want int, action string, args ...string) timed {
	b.Helper()
	var out bytes.Buffer
	t := run(b, bin, &out, args...)
	var res struct {
		Status string         `json:"status"`
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		b.Fatalf("import --json: %v\n%s", err, tail(out.String()))
	}
	if !strings.EqualFold(res.Status, "completed") || res.Counts[action] != want {
		b.Fatalf("import = %s %v, want completed with %d %s", res.Status, res.Counts, want, action)
	}
	return t
}

// parseClock reads time's wall clock, [h:]mm:ss.ss.
func parseClock(b *testing.B, s string) time.Duration {
	var secs float64
	for part := range strings.SplitSeq(s, ":") {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			b.Fatalf("wall clock %q: %v", s, err)
		}
		secs = secs*60 + v
	}
	return time.Duration(secs * float64(time.Second))
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// loadAverage is the 1-minute load average.
func loadAverage(b *testing.B) float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(raw))
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		b.Fatalf("/proc/loadavg: %q", raw)
	}
	return v
}

// dirSize returns the bbolt file's size and the whole directory's.
func dirSize(b *testing.B, dir string) (db, all int64) {
	b.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.Name() == "roster.db" {
			db = info.Size()
		}
		all += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, all
}

// participantCounter counts the elements of `participants --json`'s array
// (each opens on a line of its own, indented by two) without keeping it.
type participantCounter struct {
	n    int
	line []byte
}

func (c *participantCounter) Write(p []byte) (int, error) {
	for _, ch := range p {
		if ch != '\n' {
			if len(c.line) < 8 {
				c.line = append(c.line, ch)
			}
			continue
		}
		if string(c.line) == "  {" {
			c.n++
		}
		c.line = c.line[:0]
	}
	return len(p), nil
}

// cliBenchRow is row i (from 1) of the bench files; every changeEvery-th
// row's notes differ when changeEvery > 0.
func cliBenchRow(i, changeEvery int) []string {
	notes := fmt.Sprintf("note %d", i)
	if changeEvery > 0 && i%changeEvery == 0 {
		notes += " (changed)"
	}
	return []string{fmt.Sprintf("person%d@example.com", i), fmt.Sprintf("%07d", i), "José", fmt.Sprintf("García %d", i),
		fmt.Sprintf("2024-01-%02d", i%28+1), fmt.Sprintf("%d.5", i%100), notes}
}

var cliBenchHeader = []string{"Email", "External ID", "First name", "Last name", "Joined", "Score", "Notes"}

// cliBenchCSV writes, once per machine, the header and rows rows.
func cliBenchCSV(b *testing.B, rows, changeEvery int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roster-cli-bench-%d-%d.csv", rows, changeEvery))
	return cached(b, path, func(f *os.File) error {
		w := bufio.NewWriter(f)
		w.WriteString(strings.Join(cliBenchHeader, ",") + "\n")
		for i := 1; i <= rows; i++ {
			w.WriteString(strings.Join(cliBenchRow(i, changeEvery), ",") + "\n")
		}
		return w.Flush()
	})
}

// cliBenchXLSX writes, once per machine, the same rows as a workbook
// (dates and scores as numbers, the rest inline strings).
func cliBenchXLSX(b *testing.B, rows int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roster-cli-bench-%d.xlsx", rows))
	return cached(b, path, func(out *os.File) error {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: new("yyyy-mm-dd")})
		if err != nil {
			return err
		}
		head := make([]any, len(cliBenchHeader))
		for i, h := range cliBenchHeader {
			head[i] = h
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		row := make([]any, len(cliBenchHeader))
		for i := 1; i <= rows; i++ {
			r := cliBenchRow(i, 0)
			for j, v := range r {
				row[j] = v
			}
			day, _ := time.Parse(time.DateOnly, r[4])
			score, _ := strconv.ParseFloat(r[5], 64)
			row[4], row[5] = excelize.Cell{StyleID: dateStyle, Value: day}, score
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(out)
	})
}

// cached returns path, writing it with write first when it does not exist.
func cached(b *testing.B, path string, write func(*os.File) error) string {
	b.Helper()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		b.Fatalf("write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		b.Fatal(err)
	}
	return path
}
