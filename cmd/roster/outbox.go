package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

func (m *Main) outbox(ctx context.Context, args []string) error {
	fs := m.flags("outbox")
	data := dataFlag(fs, m.Getenv)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	sent, err := e.admin.Outbox(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(sent)
	}
	for _, s := range sent {
		fmt.Fprintf(m.Stdout, "%s  to %s\n  %s\n", s.SentAt.Format(time.RFC3339), strings.Join(s.To, ", "), s.Subject)
	}
	if len(sent) == 0 {
		fmt.Fprintln(m.Stdout, "no emails sent")
	}
	return nil
}
