package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rosterhq/roster/shared/importer"
)

// template writes a program's import template (F6).
func (m *Main) template(ctx context.Context, args []string) error {
	return m.programFile(ctx, "template", args, "template", false,
		func(ctx context.Context, se *importer.Session, program, _ string, w io.Writer) error {
			return se.Template(ctx, program, w)
		})
}

// export writes a program's participants in the template's layout (F7).
func (m *Main) export(ctx context.Context, args []string) error {
	return m.programFile(ctx, "export", args, "participants", true,
		func(ctx context.Context, se *importer.Session, program, role string, w io.Writer) error {
			return se.Export(ctx, program, role, w)
		})
}

// programFile runs a command that writes one .xlsx of a program: --data,
// --program, --out (default PROGRAM-suffix.xlsx) and, withRole, --role.
func (m *Main) programFile(ctx context.Context, name string, args []string, suffix string, withRole bool,
	write func(context.Context, *importer.Session, string, string, io.Writer) error) error {
	fs := m.flags(name)
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	role, usageRole := new(string), ""
	if withRole {
		role, usageRole = fs.String("role", "", "only this role"), " [--role ROLE]"
	}
	out := fs.String("out", "", "file to write (default: PROGRAM-"+suffix+".xlsx)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || len(pos) != 0 {
		fmt.Fprintf(m.Stderr, "usage: roster %s --data DIR --program ID%s [--out FILE]\n", name, usageRole)
		return errUsage
	}
	if *out == "" {
		*out = *program + "-" + suffix + ".xlsx"
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	return m.writeFile(*out, func(w io.Writer) error { return write(ctx, e.admin, *program, *role, w) })
}

// writeFile writes path whole or not at all: into a temporary file beside
// it, renamed into place once complete.
func (m *Main) writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s\n", path)
	return nil
}
