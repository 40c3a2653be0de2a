package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// importResult is the JSON of `roster import --json`.
type importResult struct {
	ImportID string        `json:"importId"`
	Status   string        `json:"status"`
	Counts   roster.Counts `json:"counts"`
	Flags    []roster.Flag `json:"flags"`
	Error    string        `json:"error,omitempty"`
	Reports  []string      `json:"reports,omitempty"`
}

const importUsage = `usage: roster import --data DIR --program ID --role ROLE [flags] FILE (or --paste < text)
       roster import --data DIR --program ID --sheet NAME:ROLE [--sheet NAME:ROLE]... [--map 'NAME:Header=target,...']... [flags] FILE`

func (m *Main) importFile(ctx context.Context, args []string) error {
	fs := m.flags("import")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	role := fs.String("role", "", "role of the imported participants (S1)")
	var sheets, maps multiFlag
	fs.Var(&sheets, "sheet", "sheet to import, NAME or NAME:ROLE; repeat for several sheets (default: the first visible sheet)")
	headerRow := fs.Int("header-row", 0, "row holding the column titles (default: the suggested one)")
	noHeader := fs.Bool("no-header", false, "the sheet has no header row; columns are named Column A, Column B, …")
	fs.Var(&maps, "map", "column mapping 'Header=target,...', or 'NAME:Header=target,...' for sheet NAME; repeatable (default: the suggested mapping)")
	separator := fs.String("separator", ",", "separator of multiple-choice answers (S2)")
	overwrite := fs.Bool("overwrite", false, "overwrite participants' answers; empty cells clear (S3)")
	notify := fs.Bool("notify", false, "invite newly created participants (S4)")
	admin := fs.String("admin", "", "email of the admin who gets the completion email")
	dateOrder := fs.String("date-order", "dmy", "order of ambiguous dates: dmy, mdy or ymd")
	asJSON := fs.Bool("json", false, "print JSON")
	paste := fs.Bool("paste", false, "read comma-separated text from standard input (F5)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *program == "" || (len(pos) != 1 && !*paste) || (*paste && len(pos) != 0) {
		fmt.Fprintln(m.Stderr, importUsage)
		return errUsage
	}
	if *noHeader && *headerRow != 0 {
		return fmt.Errorf("--header-row and --no-header cannot be used together")
	}
	var header *int
	switch {
	case *noHeader:
		header = new(int)
	case *headerRow != 0:
		header = headerRow
	}
	choices, err := sheetChoices(sheets, maps, header)
	if err != nil {
		return err
	}
	if *role == "" && len(choices) > 0 {
		*role = choices[0].Role
	}
	var src io.Reader
	name := "pasted.csv"
	size := int64(-1)
	if *paste {
		src = m.Stdin
	} else {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		src, name = f, pos[0]
	}
	lastShown := time.Time{}
	e, err := m.openEmbedded(*data, embeddedOptions{progress: func(_ string, done, total int) {
		if done == total || time.Since(lastShown) > time.Second {
			lastShown = time.Now()
			fmt.Fprintf(m.Stderr, "applied %d of %d batches\n", done, total)
		}
	}})
	if err != nil {
		return err
	}
	defer e.Close()
	se := e.admin
	im, err := se.CreateImportFor(ctx, *program, name, *admin, roster.ImportSettings{
		Role: *role, Separator: *separator, Overwrite: *overwrite, Notify: *notify, DateOrder: roster.DateOrder(*dateOrder)})
	if err != nil {
		return err
	}
	if _, err := se.Upload(ctx, im.ID, src, size); err != nil {
		return err
	}
	if _, err := se.Choose(ctx, im.ID, choices); err != nil {
		return err
	}
	if _, err := se.Start(ctx, im.ID); err != nil {
		return err
	}
	return m.finishImport(ctx, e, *data, im.ID, *asJSON)
}

func (m *Main) printImport(res importResult) {
	c := res.Counts
	fmt.Fprintf(m.Stdout, "import %s: %s\ncreated %d, updated %d, unchanged %d, skipped %d, rejected %d\n",
		res.ImportID, strings.ToLower(res.Status), c.Created, c.Updated, c.Unchanged, c.Skipped, c.Rejected)
	for _, f := range res.Flags {
		loc := fmt.Sprintf("%s row %d", f.Sheet, f.Row)
		if f.Column != "" {
			loc += ", " + f.Column
		}
		fmt.Fprintf(m.Stdout, "%s: %s: %s\n", f.Severity, loc, f.Reason)
	}
	for _, r := range res.Reports {
		fmt.Fprintf(m.Stdout, "report: %s\n", r)
	}
}

// sheetChoices reads --sheet NAME[:ROLE] and --map [NAME:]Header=target,…
// (DESIGN §5, S1). A --map names its sheet first when several are chosen;
// with one sheet (or none: the first visible one) it may leave it out.
func sheetChoices(sheets, maps []string, header *int) ([]importer.SheetChoice, error) {
	var choices []importer.SheetChoice
	for _, v := range sheets {
		name, role := v, ""
		if i := strings.LastIndex(v, ":"); i >= 0 {
			name, role = v[:i], v[i+1:]
		}
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("--sheet %q: the sheet's name is empty", v)
		}
		for _, c := range choices {
			if c.Sheet == name {
				return nil, fmt.Errorf("--sheet %q: sheet %s is chosen twice", v, name)
			}
		}
		choices = append(choices, importer.SheetChoice{Sheet: name, Role: role, HeaderRow: header})
	}
	if len(choices) == 0 {
		choices = []importer.SheetChoice{{HeaderRow: header}}
	}
	for _, spec := range maps {
		i, body := mapSheet(choices, spec)
		if i < 0 {
			names := make([]string, len(choices))
			for j, c := range choices {
				names[j] = c.Sheet
			}
			return nil, fmt.Errorf("--map %q: start it with the name of one of the sheets chosen with --sheet and ':' (%s)", spec, strings.Join(names, ", "))
		}
		if choices[i].Columns != nil {
			return nil, fmt.Errorf("--map %q: sheet %s is mapped twice", spec, choices[i].Sheet)
		}
		cols, err := importer.ParseColumns(body)
		if err != nil {
			return nil, fmt.Errorf("--map: %w", err)
		}
		choices[i].Columns = cols
	}
	return choices, nil
}

// mapSheet finds which chosen sheet a --map is for: the longest sheet name
// it starts with followed by ':', or the only sheet.
func mapSheet(choices []importer.SheetChoice, spec string) (int, string) {
	best := -1
	for i, c := range choices {
		if c.Sheet != "" && strings.HasPrefix(spec, c.Sheet+":") && (best < 0 || len(c.Sheet) > len(choices[best].Sheet)) {
			best = i
		}
	}
	if best >= 0 {
		return best, spec[len(choices[best].Sheet)+1:]
	}
	if len(choices) == 1 {
		return 0, spec
	}
	return -1, ""
}
