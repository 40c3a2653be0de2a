package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// participants lists a program's participants as they are read, page by
// page: the JSON array is written element by element, never held whole.
func (m *Main) participants(ctx context.Context, args []string) error {
	fs := m.flags("participants")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	role := fs.String("role", "", "only this role")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster participants --data DIR --program ID [--role ROLE] [--json]")
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if *asJSON {
		return m.streamJSON(func(emit func(any) error) error {
			return e.admin.EachParticipant(ctx, *program, *role, func(v importer.ParticipantView) error { return emit(v) })
		})
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tUSER ID\tROLE\tSTATUS\tACCOUNT\tONBOARDED\tPROFILE")
	n := 0
	err = e.admin.EachParticipant(ctx, *program, *role, func(p importer.ParticipantView) error {
		b, _ := json.Marshal(p.Profile)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%t\t%s\n", p.Email, p.UserID, p.Role, p.Status, p.AccountCreated, p.OnboardingComplete, b)
		if n++; n%importer.MaxParticipantPage == 0 {
			return tw.Flush() // columns align per block, memory stays flat
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

// streamJSON writes a JSON array of what each emits, as it comes.
func (m *Main) streamJSON(each func(emit func(any) error) error) error {
	if _, err := fmt.Fprint(m.Stdout, "["); err != nil {
		return err
	}
	first := true
	err := each(func(v any) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if first {
			sep, first = "\n  ", false
		}
		_, err = fmt.Fprintf(m.Stdout, "%s%s", sep, b)
		return err
	})
	if err != nil {
		return err
	}
	end := "\n]\n"
	if first {
		end = "]\n"
	}
	_, err = fmt.Fprint(m.Stdout, end)
	return err
}

func (m *Main) participantsActivate(ctx context.Context, args []string) error {
	fs := m.flags("participants activate")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	email := fs.String("email", "", "participant's email (required)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *program == "" || *email == "" {
		fmt.Fprintln(m.Stderr, "usage: roster participants activate --data DIR --program ID --email E")
		return errUsage
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.admin.Activate(ctx, *program, *email); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "account created; pending participations are now active")
	return nil
}

func (m *Main) participantsEdit(ctx context.Context, args []string) error {
	fs := m.flags("participants edit")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	email := fs.String("email", "", "participant's email (required)")
	newEmail := fs.String("new-email", "", "change the participant's email")
	var sets multiFlag
	fs.Var(&sets, "set", "key=value answer to set (repeatable; empty value clears)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *program == "" || *email == "" || (len(sets) == 0 && *newEmail == "") {
		fmt.Fprintln(m.Stderr, "usage: roster participants edit --data DIR --program ID --email E --set key=value [--new-email E]")
		return errUsage
	}
	set := map[string]string{}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("--set %q is not key=value", s)
		}
		set[strings.TrimSpace(k)] = v
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	// The admin stands in for the person: the person's rules apply (A8).
	if err := e.admin.EditProfile(ctx, *program, *email, set, *newEmail); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "profile updated")
	return nil
}

func (m *Main) participantsStatus(ctx context.Context, args []string) error {
	fs := m.flags("participants status")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	email := fs.String("email", "", "participant's email (required)")
	status := fs.String("status", "", "active or suspended (required)")
	all := fs.Bool("all-programs", false, "in every program of the tenant (A14)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *program == "" || *email == "" || *status == "" {
		fmt.Fprintln(m.Stderr, "usage: roster participants status --data DIR --program ID --email E --status active|suspended [--all-programs]")
		return errUsage
	}
	// Any case, as in an import's status column (V4, A14).
	want, ok := roster.ParseStatus(*status)
	if !ok || want == "" {
		return fmt.Errorf("--status %q must be active or suspended", *status)
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.admin.SetStatus(ctx, *program, *email, want, *all); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "status updated")
	return nil
}
