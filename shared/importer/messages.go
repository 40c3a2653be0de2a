package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"

	"github.com/rosterhq/roster/shared/roster"
)

// invitation is a new participant's invitation (A10), sent to the addresses
// roster.InvitationRecipients chose: the participant's own, or for a
// username-only person those of the linked participants, and then it names
// the person they accept for (V9).
func invitation(prog roster.Program, u roster.User, to []string) Message {
	sum := sha256.Sum256([]byte(prog.Tenant + "\x00" + prog.ID + "\x00" + u.ID))
	link := roster.ActivationLink(prog, u.Email, hex.EncodeToString(sum[:12]))
	m := Message{
		Key:     "invite/" + prog.Tenant + "/" + prog.ID + "/" + u.ID,
		To:      to,
		Subject: "You're invited to " + prog.Name,
		Text:    fmt.Sprintf("You have been invited to %s.\n\nActivate your account: %s\n", prog.Name, link),
		HTML: fmt.Sprintf("<p>You have been invited to <b>%s</b>.</p><p><a href=\"%s\">Activate your account</a></p>",
			html.EscapeString(prog.Name), html.EscapeString(link)),
	}
	if u.Email == "" {
		m.Subject = fmt.Sprintf("%s is invited to %s", u.Username, prog.Name)
		m.Text = fmt.Sprintf("%s (username %s) has been invited to %s. As their linked contact, you set up the account on their behalf.\n\nActivate the account of %s: %s\n",
			u.Username, u.Username, prog.Name, u.Username, link)
		m.HTML = fmt.Sprintf("<p><b>%s</b> (username %s) has been invited to <b>%s</b>. As their linked contact, you set up the account on their behalf.</p><p><a href=\"%s\">Activate the account of %s</a></p>",
			html.EscapeString(u.Username), html.EscapeString(u.Username), html.EscapeString(prog.Name), html.EscapeString(link), html.EscapeString(u.Username))
	}
	return m
}

// textMessage is an email written as plain text; its HTML part shows the
// same text as it is.
func textMessage(key string, to []string, subject, text string) Message {
	return Message{Key: key, To: to, Subject: subject, Text: text, HTML: "<pre>" + html.EscapeString(text) + "</pre>"}
}

// completion is the admin's email when an import completes (A12).
func completion(prog roster.Program, im roster.Import, reportURL string) Message {
	c := im.Counts
	lines := fmt.Sprintf("Created: %d\nUpdated: %d\nUnchanged: %d\nSkipped: %d\nRejected: %d\n", c.Created, c.Updated, c.Unchanged, c.Skipped, c.Rejected)
	text := fmt.Sprintf("Your import of %s into %s is complete.\n\n%s\nReport: %s\n", im.FileName, prog.Name, lines, reportURL)
	return textMessage("import-done/"+im.Tenant+"/"+im.ID, []string{im.Admin}, fmt.Sprintf("Import of %s into %s: complete", im.FileName, prog.Name), text)
}

// failure is the admin's email when an import fails (A12).
func failure(prog roster.Program, im roster.Import, appliedBatches int) Message {
	c := im.Counts
	written := "Nothing was written to participants."
	if appliedBatches > 0 {
		written = fmt.Sprintf("%d of %d batches were applied before it stopped (created %d, updated %d); importing the file again finishes the job without duplicating anything: the rows already applied are reported unchanged.",
			appliedBatches, im.Batches, c.Created, c.Updated)
	}
	text := fmt.Sprintf("Your import of %s into %s failed.\n\nWhy: %s\n\n%s\n", im.FileName, prog.Name, im.Error, written)
	return textMessage("import-failed/"+im.Tenant+"/"+im.ID, []string{im.Admin}, fmt.Sprintf("Import of %s into %s: failed", im.FileName, prog.Name), text)
}
