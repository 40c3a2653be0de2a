package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/rosterhq/roster/shared/roster"
)

const integrationUsage = `usage:
  roster integration put --data DIR INTEGRATION.json
  roster integration list --data DIR [--json]
  roster integration live --data DIR --id ID [--off]
`

// integration runs `roster integration put|list|live` (I1, I7).
func (m *Main) integration(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "put":
			return m.integrationPut(ctx, args[1:])
		case "list":
			return m.integrationList(ctx, args[1:])
		case "live":
			return m.integrationLive(ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, integrationUsage)
	return errUsage
}

func (m *Main) integrationPut(ctx context.Context, args []string) error {
	fs := m.flags("integration put")
	data := dataFlag(fs, m.Getenv)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(m.Stderr, integrationUsage)
		return errUsage
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := roster.ParseIntegration(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if in, err = e.svc.PutIntegration(ctx, localTenant, in); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(m.Stdout, "integration %s saved (%s); its files arrive under %s\n", in.ID, liveWords(in.Live), in.Prefix())
	return nil
}

func (m *Main) integrationList(ctx context.Context, args []string) error {
	fs := m.flags("integration list")
	data := dataFlag(fs, m.Getenv)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprint(m.Stderr, integrationUsage)
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	ins, err := e.svc.ListIntegrations(ctx, localTenant)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(ins)
	}
	if len(ins) == 0 {
		fmt.Fprintln(m.Stdout, "no integrations")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROGRAM\tROLE\tFILES\tMODE\tSTATE\tSCHEDULE")
	for _, in := range ins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Program, in.Role, in.FileName, in.Mode, liveWords(in.Live), scheduleWords(in.Schedule))
	}
	return tw.Flush()
}

func (m *Main) integrationLive(ctx context.Context, args []string) error {
	fs := m.flags("integration live")
	data := dataFlag(fs, m.Getenv)
	id := fs.String("id", "", "integration ID (required)")
	off := fs.Bool("off", false, "go back to test mode: files are reviewed and nothing is applied (I7)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *id == "" || len(pos) != 0 {
		fmt.Fprint(m.Stderr, integrationUsage)
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	in, err := e.svc.SetLive(ctx, localTenant, *id, !*off)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "integration %s is %s\n", in.ID, liveWords(in.Live))
	return nil
}

func liveWords(live bool) string {
	if live {
		return "live"
	}
	return "test mode"
}

func scheduleWords(s *roster.Schedule) string {
	switch {
	case s == nil:
		return "none (not watched)"
	case s.Every == roster.EveryWeekly:
		return fmt.Sprintf("weekly, %s %s %s, %dh grace", s.Day, s.At, s.Timezone, s.GraceHours)
	}
	return fmt.Sprintf("daily %s %s, %dh grace", s.At, s.Timezone, s.GraceHours)
}
