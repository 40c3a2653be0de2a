package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// syncNote is what the contacts' email about one pushed file says (I2–I7).
type syncNote struct {
	Program     roster.Program
	Integration roster.Integration
	Name        string // the file's name under the inbound prefix
	Result      roster.SyncResult
	Population  int    // held: the role's participants the valve compared with (I5)
	EmptyFile   bool   // the file had no data rows, so off-boarding suspended nobody (I5)
	LastApplied string // stale: the newer file applied before (I2)
	ReportURL   string
	PageURL     string   // held: the admin page, where an admin approves or rejects the suspensions
	To          []string // held: the contacts and the program's admins (I5); else the contacts
}

// syncMessage is the contacts' email about one pushed file, in words. A
// duplicate or an ignored file sends none (I2: logged only); ok is false.
func syncMessage(n syncNote) (msg Message, ok bool) {
	in, r := n.Integration, n.Result
	what := fmt.Sprintf("The file %s from integration %s", n.Name, in.ID)
	var subject string
	var b strings.Builder
	switch r.Status {
	case roster.SyncCompleted:
		subject = "applied"
		fmt.Fprintf(&b, "%s was applied to %s (%s participants).\n\n%s", what, n.Program.Name, in.Role, countLines(r.Counts, true))
		if n.EmptyFile {
			b.WriteString("\nThe file had no data rows, so nobody was suspended.\n")
		}
	case roster.SyncTested:
		subject = "test run, nothing applied"
		fmt.Fprintf(&b, "Integration %s is in test mode: the file %s was read, mapped and checked, and nothing was changed.\n\nHad it been live, it would have:\n\n%s",
			in.ID, n.Name, countLines(r.Counts, true))
		b.WriteString("\nWhen these numbers look right, an admin switches the integration to live.\n")
	case roster.SyncHeld:
		subject = fmt.Sprintf("%d suspensions held for approval", r.Counts.Held)
		fmt.Fprintf(&b, "%s was applied to %s except for its suspensions.\n\n", what, n.Program.Name)
		fmt.Fprintf(&b, "It would suspend %d of the %d %s participants, which trips the integration's safety valve (more than %s of them and more than %d people). "+
			"That usually means a truncated or partial export, so nobody was suspended.\n\n",
			r.Counts.Held, n.Population, in.Role, percent(in.Valve.MaxShare), in.Valve.MaxCount)
		b.WriteString(heldHowTo(r.ImportID, n.PageURL))
		b.WriteString(countLines(r.Counts, false))
	case roster.SyncRefused:
		subject = "not applied, headers missing"
		quoted := make([]string, len(r.MissingHeaders))
		for i, h := range r.MissingHeaders {
			quoted[i] = strconv.Quote(h)
		}
		fmt.Fprintf(&b, "%s was not applied: its header row lacks %s, which the integration's mapping needs. Nothing was changed.\n\n"+
			"Fix the export (or the integration's mapping) and send the file again.\n", what, strings.Join(quoted, ", "))
	case roster.SyncStale:
		subject = "not applied, older than the last file"
		fmt.Fprintf(&b, "%s is older than %s, applied before, so it was not applied. Nothing was changed.\n", what, n.LastApplied)
	default:
		return Message{}, false
	}
	if n.ReportURL != "" && r.Status != roster.SyncStale {
		fmt.Fprintf(&b, "\nReport: %s\n", n.ReportURL)
	}
	text := b.String()
	to := in.Contacts
	if len(n.To) > 0 {
		to = n.To
	}
	id := r.ImportID
	if id == "" {
		id = n.Name
	}
	return textMessage("sync/"+in.Tenant+"/"+in.ID+"/"+id+"/"+string(r.Status), to, fmt.Sprintf("Sync of %s into %s: %s", n.Name, n.Program.Name, subject), text), true
}

func countLines(c roster.SyncCounts, suspended bool) string {
	s := fmt.Sprintf("Created: %d\nUpdated: %d\nUnchanged: %d\nSkipped: %d\nRejected: %d\n", c.Created, c.Updated, c.Unchanged, c.Skipped, c.Rejected)
	if suspended {
		s += fmt.Sprintf("Suspended: %d\n", c.Suspended)
	}
	return s
}

func percent(share float64) string {
	return strconv.FormatFloat(share*100, 'f', -1, 64) + "%"
}

// watchdogMessage tells the contacts that an expected file did not come
// (I6). Its key names the window, so a mailer that keeps keys sends it
// once per window even if two watchdogs decide to.
func watchdogMessage(prog roster.Program, in roster.Integration, w roster.Window, lastArrival time.Time) Message {
	loc, err := time.LoadLocation(in.Schedule.Timezone)
	if err != nil {
		loc = time.UTC
	}
	const layout = "Monday 2 January 2006 at 15:04 MST"
	last := "No file has arrived yet."
	if !lastArrival.IsZero() {
		last = "The last file arrived on " + lastArrival.In(loc).Format(layout) + "."
	}
	text := fmt.Sprintf("Integration %s expected a file on %s, with %d hours' grace, and none arrived. %s\n\n"+
		"Nothing is changed in %s until files come again: check the system that sends them to %s.\n",
		in.ID, w.Expected.In(loc).Format(layout), in.Schedule.GraceHours, last, prog.Name, in.Prefix())
	return textMessage("watchdog/"+in.Tenant+"/"+in.ID+"/"+w.ID, in.Contacts, fmt.Sprintf("No file from integration %s since %s", in.ID, sinceWords(lastArrival, loc)), text)
}

func sinceWords(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "it was set up"
	}
	return t.In(loc).Format("2 January 2006")
}
