package roster

import "iter"

// Leaving yields the participants a pushed file suspends (I4): those of
// role, not suspended yet, whose user ID is in suspend (a suspending status
// value, held back by Decide) or, when missing is set, not in present (off-
// boarding). Every sequence is in ascending user ID order (ListParticipants'
// order) and may repeat IDs; it is a merge of the streams, so memory stays
// flat whatever their length. Each participant is yielded once.
func Leaving(participants iter.Seq[Participant], present iter.Seq[string], missing bool, suspend iter.Seq[string], role string) iter.Seq[Participant] {
	return func(yield func(Participant) bool) {
		nextPresent, stopPresent := iter.Pull(present)
		defer stopPresent()
		nextSuspend, stopSuspend := iter.Pull(suspend)
		defer stopSuspend()
		pres, pok := nextPresent()
		susp, sok := nextSuspend()
		for p := range participants {
			for pok && pres < p.UserID {
				pres, pok = nextPresent()
			}
			for sok && susp < p.UserID {
				susp, sok = nextSuspend()
			}
			named := pok && pres == p.UserID
			leaves := (sok && susp == p.UserID) || (missing && !named)
			if leaves && Offboardable(p, role) && !yield(p) {
				return
			}
		}
	}
}
