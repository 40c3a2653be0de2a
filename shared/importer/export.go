package importer

import (
	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
)

// ExportRows arranges listed participants for report.Export (F7), by role.
func ExportRows(ps []ParticipantView) map[string][]report.ExportRow {
	rows := map[string][]report.ExportRow{}
	for _, v := range ps {
		rows[v.Role] = append(rows[v.Role], ExportRow(v))
	}
	return rows
}

// ExportRow is a listed participant as an export writes it (F7): with their
// username (V9) and the emails of the participants linked to them (A9), so
// that importing the export copies them.
func ExportRow(v ParticipantView) report.ExportRow {
	r := report.ExportRow{Email: v.Email, UserID: v.UserID, Username: v.Username, Status: v.Status, Profile: v.Profile}
	for role, names := range v.Associations {
		for _, n := range names {
			if roster.ValidEmail(n) { // a linked username-only person links back from their own row
				if r.Links == nil {
					r.Links = map[string][]string{}
				}
				r.Links[role] = append(r.Links[role], n)
			}
		}
	}
	return r
}
