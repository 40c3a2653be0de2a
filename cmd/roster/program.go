package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

func (m *Main) programPut(ctx context.Context, args []string) error {
	fs := m.flags("program put")
	data := dataFlag(fs, m.Getenv)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(m.Stderr, "usage: roster program put --data DIR PROGRAM.json")
		return errUsage
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	var p roster.Program
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if _, err := e.admin.PutProgram(ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "program %s saved\n", p.ID)
	return nil
}
