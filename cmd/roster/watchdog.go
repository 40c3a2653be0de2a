package main

import (
	"context"
	"fmt"
	"time"
)

// watchdog runs `roster watchdog`: email the contacts of the integrations
// whose expected file is overdue, once per missed window (I6).
func (m *Main) watchdog(ctx context.Context, args []string) error {
	fs := m.flags("watchdog")
	data := dataFlag(fs, m.Getenv)
	nowFlag := fs.String("now", "", "the time to check at, RFC 3339 (default: now)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster watchdog --data DIR [--now RFC3339] [--json]")
		return errUsage
	}
	now := time.Now().UTC()
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return fmt.Errorf("--now %q: want an RFC 3339 time such as 2026-12-01T12:00:00Z", *nowFlag)
		}
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	notices, err := e.svc.Watchdog(ctx, now)
	if *asJSON {
		if perr := m.printJSON(notices); perr != nil {
			return perr
		}
		return err
	}
	for _, n := range notices {
		fmt.Fprintf(m.Stdout, "integration %s: the file expected %s did not arrive by %s; its contacts were emailed\n",
			n.Integration, n.Expected.Format(time.RFC3339), n.Deadline.Format(time.RFC3339))
	}
	if len(notices) == 0 && err == nil {
		fmt.Fprintln(m.Stdout, "no integration is overdue")
	}
	return err
}
