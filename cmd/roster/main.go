// Command roster is Roster's command-line tool and local all-in-one server.
//
//	roster inspect [--json] FILE
//	roster program put --data DIR PROGRAM.json
//	roster import --data DIR --program ID --role ROLE [flags] FILE
//	roster import --data DIR --program ID --sheet NAME:ROLE... [--map 'NAME:Header=target,...']... FILE
//	roster imports --data DIR --program ID [--json]
//	roster imports resume --data DIR --import ID [--json]
//	roster participants --data DIR --program ID [--role ROLE] [--json]
//	roster participants activate --data DIR --program ID --email E
//	roster participants edit --data DIR --program ID --email E --set key=value
//	roster template --data DIR --program ID [--out FILE]
//	roster export --data DIR --program ID [--role ROLE] [--out FILE]
//	roster integration put|list|live --data DIR ...
//	roster sync --data DIR --integration ID [--name NAME] [--json] FILE
//	roster sync approve|reject --data DIR --import ID [--json]
//	roster watchdog --data DIR [--now RFC3339] [--json]
//	roster outbox --data DIR [--json]
//	roster serve --data DIR [--addr 127.0.0.1:8080] [--aws]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := setMemoryLimit(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "roster:", err)
		}
		os.Exit(exitCode(err))
	}
}

// Main is the program: end-to-end tests run it in-process with their own
// streams.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

var errUsage = errors.New("usage")

const usage = `roster: bulk-import program participants.

Commands:
  roster inspect [--json] FILE
  roster program put --data DIR PROGRAM.json
  roster import --data DIR --program ID --role ROLE [--sheet NAME] [--header-row N | --no-header]
                [--map 'Header=target,...'] [--separator S] [--overwrite] [--notify]
                [--admin EMAIL] [--date-order dmy|mdy|ymd] [--json] [--paste] FILE
  roster import --data DIR --program ID --sheet NAME:ROLE [--sheet NAME:ROLE]...
                [--map 'NAME:Header=target,...']... [other flags as above] FILE
  roster imports --data DIR --program ID [--json]
  roster imports resume --data DIR --import ID [--json]
  roster participants --data DIR --program ID [--role ROLE] [--json]
  roster participants activate --data DIR --program ID --email E
  roster participants edit --data DIR --program ID --email E --set key=value [--set ...] [--new-email E]
  roster participants status --data DIR --program ID --email E --status active|suspended [--all-programs]
  roster template --data DIR --program ID [--out FILE]
  roster export --data DIR --program ID [--role ROLE] [--out FILE]
  roster integration put --data DIR INTEGRATION.json
  roster integration list --data DIR [--json]
  roster integration live --data DIR --id ID [--off]
  roster sync --data DIR --integration ID [--name NAME] [--json] FILE
  roster sync approve --data DIR --import ID [--json]
  roster sync reject --data DIR --import ID
  roster watchdog --data DIR [--now RFC3339] [--json]
  roster outbox --data DIR [--json]
  roster serve --data DIR [--addr 127.0.0.1:8080] [--aws]

Mapping targets: email, userId, username, status, field:<question key>, assoc:<role>, ignore.
In --map a column is named by its header or by its letter (A=email).
--data defaults to ./.roster. Run 'roster COMMAND -h' for a command's flags.
`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "inspect":
		return m.inspect(ctx, args[1:])
	case "program":
		if len(args) < 2 || args[1] != "put" {
			fmt.Fprint(m.Stderr, "usage: roster program put --data DIR PROGRAM.json\n")
			return errUsage
		}
		return m.programPut(ctx, args[2:])
	case "import":
		return m.importFile(ctx, args[1:])
	case "imports":
		return m.imports(ctx, args[1:])
	case "participants":
		if len(args) > 1 {
			switch args[1] {
			case "activate":
				return m.participantsActivate(ctx, args[2:])
			case "edit":
				return m.participantsEdit(ctx, args[2:])
			case "status":
				return m.participantsStatus(ctx, args[2:])
			}
		}
		return m.participants(ctx, args[1:])
	case "template":
		return m.template(ctx, args[1:])
	case "export":
		return m.export(ctx, args[1:])
	case "outbox":
		return m.outbox(ctx, args[1:])
	case "integration":
		return m.integration(ctx, args[1:])
	case "watchdog":
		return m.watchdog(ctx, args[1:])
	case "sync":
		return m.sync(ctx, args[1:])
	case "serve":
		return m.serve(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "roster: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
