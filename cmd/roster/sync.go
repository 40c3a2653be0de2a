package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

const syncUsage = `usage: roster sync --data DIR --integration ID [--name NAME] [--json] FILE
       roster sync approve --data DIR --import ID [--json]
       roster sync reject --data DIR --import ID`

// sync delivers FILE as if the integration had pushed it under NAME and
// processes it at once, exactly as a pushed file (I2–I7).
func (m *Main) sync(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "approve" || args[0] == "reject") {
		return m.syncHeld(ctx, args[0], args[1:])
	}
	fs := m.flags("sync")
	data := dataFlag(fs, m.Getenv)
	id := fs.String("integration", "", "integration ID (required)")
	name := fs.String("name", "", "name under the integration's inbound prefix (default: the file's base name)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *id == "" || len(pos) != 1 {
		fmt.Fprintln(m.Stderr, syncUsage)
		return errUsage
	}
	if *name == "" {
		*name = filepath.Base(pos[0])
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	res, err := e.svc.Arrive(ctx, localTenant, *id, *name, f, size)
	if err != nil {
		return err
	}
	return m.printSync(res, *asJSON)
}

// syncHeld approves or rejects the suspensions the safety valve held for
// an import (I5).
func (m *Main) syncHeld(ctx context.Context, verb string, args []string) error {
	fs := m.flags("sync " + verb)
	data := dataFlag(fs, m.Getenv)
	id := fs.String("import", "", "import whose held suspensions to "+verb+" (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *id == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, syncUsage)
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	settle := e.admin.ApproveHeld
	if verb == "reject" {
		settle = e.admin.RejectHeld
	}
	res, err := settle(ctx, *id)
	if err != nil {
		return err
	}
	return m.printSync(res, *asJSON)
}

// printSync prints a pushed file's outcome (DESIGN §5, `sync --json`).
func (m *Main) printSync(res roster.SyncResult, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	c := res.Counts
	head := "sync: " + string(res.Status)
	if res.ImportID != "" {
		head = "import " + res.ImportID + ": " + string(res.Status)
	}
	fmt.Fprintln(m.Stdout, head)
	switch res.Status {
	case roster.SyncCompleted, roster.SyncTested, roster.SyncHeld:
		fmt.Fprintf(m.Stdout, "created %d, updated %d, unchanged %d, skipped %d, rejected %d, suspended %d, held %d\n",
			c.Created, c.Updated, c.Unchanged, c.Skipped, c.Rejected, c.Suspended, c.Held)
	case roster.SyncRefused:
		if len(res.MissingHeaders) > 0 {
			fmt.Fprintf(m.Stdout, "missing headers: %s\n", strings.Join(res.MissingHeaders, ", "))
		}
	}
	for _, f := range res.Flags {
		loc := fmt.Sprintf("%s row %d", f.Sheet, f.Row)
		if f.Column != "" {
			loc += ", " + f.Column
		}
		fmt.Fprintf(m.Stdout, "%s: %s: %s\n", f.Severity, loc, f.Reason)
	}
	return nil
}
