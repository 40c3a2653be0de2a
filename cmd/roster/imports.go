package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// importsEntry is one line of `roster imports --json` (DESIGN §5).
type importsEntry struct {
	ImportID   string        `json:"importId"`
	Status     string        `json:"status"`
	Source     string        `json:"source"`
	Counts     roster.Counts `json:"counts"`
	StartedAt  *time.Time    `json:"startedAt"`
	FinishedAt *time.Time    `json:"finishedAt"`
}

// sourceOf tells how an import's file arrived.
func sourceOf(im roster.Import) string {
	switch {
	case strings.HasPrefix(im.FileKey, "inbound/"):
		return "sync"
	case im.FileName == "pasted.csv":
		return "paste"
	}
	return "upload"
}

// imports lists a program's imports, newest first; a run whose process
// died shows as interrupted (X4).
func (m *Main) imports(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "resume" {
		return m.importsResume(ctx, args[1:])
	}
	fs := m.flags("imports")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster imports --data DIR --program ID [--json]\n       roster imports resume --data DIR --import ID [--json]")
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if _, err := e.admin.GetProgram(ctx, *program); err != nil {
		return err
	}
	ims, err := e.admin.ListImports(ctx, *program)
	if err != nil {
		return err
	}
	out := make([]importsEntry, len(ims))
	for i, im := range ims {
		out[i] = importsEntry{ImportID: im.ID, Status: strings.ToLower(string(im.Status)), Source: sourceOf(im),
			Counts: im.Counts, StartedAt: im.StartedAt, FinishedAt: im.FinishedAt}
	}
	if *asJSON {
		return m.printJSON(out)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "IMPORT\tSTATUS\tSOURCE\tCREATED\tUPDATED\tUNCHANGED\tSKIPPED\tREJECTED\tSTARTED")
	for _, en := range out {
		started := "-"
		if en.StartedAt != nil {
			started = en.StartedAt.Local().Format(time.DateTime)
		}
		c := en.Counts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", en.ImportID, en.Status, en.Source, c.Created, c.Updated, c.Unchanged, c.Skipped, c.Rejected, started)
	}
	tw.Flush()
	for _, en := range out {
		if en.Status == "interrupted" {
			fmt.Fprintf(m.Stdout, "\n%s\n", resumeHint(*data, en.ImportID))
		}
	}
	return nil
}

// importsResume finishes an interrupted (or failed) run: every row once,
// every invitation once, the counts of an uninterrupted run (X4, A10, A11).
func (m *Main) importsResume(ctx context.Context, args []string) error {
	fs := m.flags("imports resume")
	data := dataFlag(fs, m.Getenv)
	id := fs.String("import", "", "import ID (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *id == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster imports resume --data DIR --import ID [--json]")
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{progress: m.progressLine()})
	if err != nil {
		return err
	}
	defer e.Close()
	if _, err := e.admin.Resume(ctx, *id); err != nil {
		return err
	}
	return m.finishImport(ctx, e, *data, *id, *asJSON)
}

// finishImport prints an import's outcome as `import --json` does, and
// fails unless it completed.
func (m *Main) finishImport(ctx context.Context, e *embedded, data, id string, asJSON bool) error {
	im, err := e.admin.GetImport(ctx, id)
	if err != nil {
		return err
	}
	if im.Status == roster.ImportInterrupted {
		// Ctrl-C: one line, saying how to go on (defect 7).
		return &exitError{code: 130, err: fmt.Errorf("import %s interrupted after %d of %d batches; %s", im.ID, im.Applied, im.Batches, resumeHint(data, im.ID))}
	}
	res := importResult{ImportID: im.ID, Status: string(im.Status), Counts: im.Counts, Flags: []roster.Flag{}, Error: im.Error}
	if im.Status == roster.ImportCompleted {
		entries, err := e.admin.Report(ctx, im.ID)
		if err != nil {
			return err
		}
		for _, en := range entries {
			res.Flags = append(res.Flags, en.Flags...)
		}
		for _, k := range im.ReportKeys {
			if p, err := e.blobs.Path(k); err == nil {
				res.Reports = append(res.Reports, p)
			}
		}
	}
	if asJSON {
		if err := m.printJSON(res); err != nil {
			return err
		}
	} else {
		m.printImport(res)
	}
	if im.Status != roster.ImportCompleted {
		return &exitError{code: 1, err: fmt.Errorf("import %s %s: %s", im.ID, strings.ToLower(string(im.Status)), im.Error)}
	}
	return nil
}

func resumeHint(data, id string) string {
	return fmt.Sprintf("to finish it: roster imports resume --data %s --import %s", data, id)
}

// progressLine reports applied batches on stderr, at most once a second.
func (m *Main) progressLine() func(string, int, int) {
	var last time.Time
	return func(_ string, done, total int) {
		if done == total || time.Since(last) > time.Second {
			last = time.Now()
			fmt.Fprintf(m.Stderr, "applied %d of %d batches\n", done, total)
		}
	}
}

// runOwner names this process as the owner of the runs it starts (X4).
func runOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
}
