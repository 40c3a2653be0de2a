package roster

import (
	"slices"
	"strings"
)

// CheckAdmins checks the program's admins: each a valid email, once (I5).
func (p Program) CheckAdmins() error {
	seen := map[string]bool{}
	for i, a := range p.Admins {
		n := NormalizeEmail(a)
		if !ValidEmail(n) {
			return Errorf(ErrInvalid, "program %s: admins[%d] %q is not a valid email", p.ID, i, a)
		}
		if seen[n] {
			return Errorf(ErrInvalid, "program %s: admins[%d] %q is listed twice", p.ID, i, a)
		}
		seen[n] = true
	}
	return nil
}

// RecentAdminImports is how many of a program's newest imports name the
// admins emailed when the program lists none (I5).
const RecentAdminImports = 20

// HeldRecipients are who is told that a pushed file's suspensions are held
// (I5): the integration's contacts and the program's admins, or, when the
// program lists none, the admins who started its recent imports (newest
// first, as ListImports returns them). Each address once, in that order.
func HeldRecipients(contacts []string, prog Program, recent []Import) []string {
	admins := prog.Admins
	if len(admins) == 0 {
		for i, im := range recent {
			if i == RecentAdminImports {
				break
			}
			if im.Admin != "" {
				admins = append(admins, im.Admin)
			}
		}
	}
	var to []string
	seen := map[string]bool{}
	for _, a := range slices.Concat(contacts, admins) {
		n := NormalizeEmail(a)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		to = append(to, strings.TrimSpace(a))
	}
	return to
}
