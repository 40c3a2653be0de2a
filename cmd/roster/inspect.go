package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/sheet"
)

func (m *Main) inspect(_ context.Context, args []string) error {
	fs := m.flags("inspect")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(m.Stderr, "usage: roster inspect [--json] FILE")
		return errUsage
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	lim, err := sheet.LimitsFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	st, err := importer.Inspect(f, fi.Size(), fi.Name(), lim)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(st)
	}
	fmt.Fprintf(m.Stdout, "%s: %s", fi.Name(), st.Format)
	if st.Encoding != "" {
		fmt.Fprintf(m.Stdout, ", %s", st.Encoding)
	}
	if st.Delimiter != "" {
		fmt.Fprintf(m.Stdout, ", delimiter %q", st.Delimiter)
	}
	fmt.Fprintln(m.Stdout)
	for _, sh := range st.Sheets {
		hidden := ""
		if sh.Hidden {
			hidden = " (hidden)"
		}
		fmt.Fprintf(m.Stdout, "\nsheet %q%s: %s rows, %s columns\n", sh.Name, hidden, count(sh.Rows), count(sh.Columns))
		if len(sh.HeaderCandidates) > 0 {
			fmt.Fprintf(m.Stdout, "header row: %d (score %.2f)\n", sh.HeaderCandidates[0].Row, sh.HeaderCandidates[0].Score)
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		for i, r := range sh.Preview {
			cells := make([]string, len(r))
			for j, c := range r {
				cells[j] = clip(c, 24)
			}
			fmt.Fprintf(tw, "%d\t%s\n", i+1, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	return nil
}

// count shows a sheet's row or column count; -1 means the file does not
// say and finding out would mean reading the whole sheet.
func count(n int) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
