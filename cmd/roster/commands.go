package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("roster "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errUsage
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

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
	if p.Tenant == "" {
		p.Tenant = localTenant
	}
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.svc.PutProgram(ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "program %s saved\n", p.ID)
	return nil
}

// importResult is the JSON of `roster import --json`.
type importResult struct {
	ImportID string        `json:"importId"`
	Status   string        `json:"status"`
	Counts   roster.Counts `json:"counts"`
	Flags    []roster.Flag `json:"flags"`
	Error    string        `json:"error,omitempty"`
	Reports  []string      `json:"reports,omitempty"`
}

func (m *Main) importFile(ctx context.Context, args []string) error {
	fs := m.flags("import")
	data := dataFlag(fs, m.Getenv)
	program := fs.String("program", "", "program ID (required)")
	role := fs.String("role", "", "role of the imported participants (S1)")
	sheetName := fs.String("sheet", "", "sheet to import (default: the first visible sheet)")
	headerRow := fs.Int("header-row", 0, "row holding the column titles (default: the suggested one)")
	noHeader := fs.Bool("no-header", false, "the sheet has no header row; columns are named Column A, Column B, …")
	mapSpec := fs.String("map", "", "column mapping 'Header=target,...' (default: the suggested mapping)")
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
		fmt.Fprintln(m.Stderr, "usage: roster import --data DIR --program ID --role ROLE [flags] FILE (or --paste < text)")
		return errUsage
	}
	if *noHeader && *headerRow != 0 {
		return fmt.Errorf("--header-row and --no-header cannot be used together")
	}
	var src io.Reader
	name := "pasted.csv"
	if *paste {
		src = m.Stdin
	} else {
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
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
	svc := e.svc
	im, err := svc.CreateImport(ctx, localTenant, *program, name, *admin, roster.ImportSettings{
		Role: *role, Separator: *separator, Overwrite: *overwrite, Notify: *notify, DateOrder: roster.DateOrder(*dateOrder)})
	if err != nil {
		return err
	}
	st, err := svc.Upload(ctx, localTenant, im.ID, src)
	if err != nil {
		return err
	}
	plan, err := choosePlan(ctx, svc, im, st, *sheetName, *headerRow, *noHeader, *mapSpec)
	if err != nil {
		return err
	}
	if _, err := svc.SetPlans(ctx, localTenant, im.ID, []roster.SheetPlan{plan}); err != nil {
		return err
	}
	if _, err := svc.Start(ctx, localTenant, im.ID); err != nil {
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

// choosePlan picks the sheet, header row and mapping from the flags, or
// the suggestions where a flag is not given.
func choosePlan(ctx context.Context, svc *importer.Service, im roster.Import, st importer.Structure, sheetName string, headerRow int, noHeader bool, mapSpec string) (roster.SheetPlan, error) {
	var sh *importer.SheetStructure
	for i := range st.Sheets {
		s := &st.Sheets[i]
		if (sheetName == "" && !s.Hidden) || s.Name == sheetName {
			sh = s
			break
		}
	}
	if sh == nil {
		names := make([]string, len(st.Sheets))
		for i, s := range st.Sheets {
			names[i] = s.Name
		}
		if sheetName == "" {
			return roster.SheetPlan{}, fmt.Errorf("%s has no visible sheet", im.FileName)
		}
		return roster.SheetPlan{}, fmt.Errorf("%s has no sheet %q (sheets: %s)", im.FileName, sheetName, strings.Join(names, ", "))
	}
	switch {
	case noHeader:
		headerRow = 0
	case headerRow == 0 && len(sh.HeaderCandidates) > 0:
		headerRow = sh.HeaderCandidates[0].Row
	}
	sugg, err := svc.Suggest(ctx, im.Tenant, im.ID, sh.Name, im.Settings.Role, headerRow)
	if err != nil {
		return roster.SheetPlan{}, err
	}
	plan := sugg.Plan
	if mapSpec != "" {
		m, err := parseMap(mapSpec, plan.Headers)
		if err != nil {
			return plan, err
		}
		plan.Mapping = m
	}
	return plan, nil
}

// parseMap reads --map 'Header=target,...'. Columns not named are ignored.
// A header may also be given as a column letter (A, B, …).
func parseMap(spec string, headers []string) (roster.Mapping, error) {
	m := make(roster.Mapping, len(headers))
	for i := range m {
		m[i] = roster.TargetIgnore
	}
	for _, part := range strings.Split(spec, ",") {
		h, target, ok := strings.Cut(part, "=")
		h, target = strings.TrimSpace(h), strings.TrimSpace(target)
		if !ok || h == "" || target == "" {
			return nil, fmt.Errorf("--map: %q is not Header=target", part)
		}
		col := -1
		for i, name := range headers {
			if strings.EqualFold(strings.TrimSpace(name), h) {
				col = i
				break
			}
		}
		if col < 0 {
			for i := range headers {
				if strings.EqualFold(roster.ColumnName(i), h) {
					col = i
				}
			}
		}
		if col < 0 {
			return nil, fmt.Errorf("--map: no column %q (columns: %s)", h, strings.Join(headers, ", "))
		}
		m[col] = target
	}
	return m, nil
}

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
	ps, err := e.svc.ListParticipants(ctx, localTenant, *program, *role)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(ps)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tUSER ID\tROLE\tSTATUS\tACCOUNT\tONBOARDED\tPROFILE")
	for _, p := range ps {
		b, _ := json.Marshal(p.Profile)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%t\t%s\n", p.Email, p.UserID, p.Role, p.Status, p.AccountCreated, p.OnboardingComplete, b)
	}
	return tw.Flush()
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
	if err := e.svc.Activate(ctx, localTenant, *program, *email); err != nil {
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
	if err := e.svc.EditProfile(ctx, localTenant, *program, *email, set, *newEmail); err != nil {
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
	e, err := m.openEmbedded(*data, embeddedOptions{})
	if err != nil {
		return err
	}
	defer e.Close()
	// Any case, as in an import's status column (V4, A14).
	want, ok := roster.ParseStatus(*status)
	if !ok || want == "" {
		return fmt.Errorf("--status %q must be active or suspended", *status)
	}
	if err := e.svc.SetStatus(ctx, localTenant, *program, *email, want, *all); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "status updated")
	return nil
}

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
	sent, err := e.outbox.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if sent == nil {
			return m.printJSON([]any{})
		}
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
