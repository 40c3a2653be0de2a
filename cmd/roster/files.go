package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// template writes a program's import template (F6).
func (m *Main) template(ctx context.Context, args []string) error {
	fs := m.flags("template")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	out := fs.String("out", "", "file to write (default: PROGRAM-template.xlsx)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster template --data DIR --program ID [--out FILE]")
		return errUsage
	}
	if *out == "" {
		*out = *program + "-template.xlsx"
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	return m.writeFile(*out, func(w io.Writer) error { return e.admin.Template(ctx, *program, w) })
}

// export writes a program's participants in the template's layout (F7).
func (m *Main) export(ctx context.Context, args []string) error {
	fs := m.flags("export")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	role := fs.String("role", "", "only this role")
	out := fs.String("out", "", "file to write (default: PROGRAM-participants.xlsx)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster export --data DIR --program ID [--role ROLE] [--out FILE]")
		return errUsage
	}
	if *out == "" {
		*out = *program + "-participants.xlsx"
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	return m.writeFile(*out, func(w io.Writer) error { return e.admin.Export(ctx, *program, *role, w) })
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
