package roster

import (
	"cmp"
	"container/heap"
	"iter"
)

// Offboardable reports whether off-boarding may suspend p (I4): a
// participant of the integration's role who is not suspended already.
func Offboardable(p Participant, role string) bool {
	return p.Role == role && p.Status != StatusSuspended
}

// Absent yields the participants that off-boarding would suspend (I4):
// those of role, not suspended yet, whose user ID is not in present. Both
// sequences must be in ascending user ID order (ListParticipants' order);
// present may repeat IDs. It is a merge of the two streams, so memory stays
// flat whatever their length.
func Absent(participants iter.Seq[Participant], present iter.Seq[string], role string) iter.Seq[Participant] {
	return func(yield func(Participant) bool) {
		next, stop := iter.Pull(present)
		defer stop()
		cur, ok := next()
		for p := range participants {
			for ok && cur < p.UserID {
				cur, ok = next()
			}
			if ok && cur == p.UserID {
				continue
			}
			if Offboardable(p, role) && !yield(p) {
				return
			}
		}
	}
}

// MergeSorted merges ascending sequences into one ascending sequence, as
// sorted runs written by separate batches are read back together. Memory
// is one value per sequence.
func MergeSorted[T cmp.Ordered](seqs ...iter.Seq[T]) iter.Seq[T] {
	return func(yield func(T) bool) {
		h := &mergeHeap[T]{}
		defer func() {
			for _, r := range h.runs {
				r.stop()
			}
		}()
		for _, s := range seqs {
			next, stop := iter.Pull(s)
			if v, ok := next(); ok {
				h.runs = append(h.runs, &mergeRun[T]{v: v, next: next, stop: stop})
			} else {
				stop()
			}
		}
		heap.Init(h)
		for h.Len() > 0 {
			r := h.runs[0]
			if !yield(r.v) {
				return
			}
			if v, ok := r.next(); ok {
				r.v = v
				heap.Fix(h, 0)
			} else {
				r.stop()
				heap.Pop(h)
			}
		}
	}
}

type mergeRun[T cmp.Ordered] struct {
	v    T
	next func() (T, bool)
	stop func()
}

type mergeHeap[T cmp.Ordered] struct{ runs []*mergeRun[T] }

func (h *mergeHeap[T]) Len() int           { return len(h.runs) }
func (h *mergeHeap[T]) Less(i, j int) bool { return h.runs[i].v < h.runs[j].v }
func (h *mergeHeap[T]) Swap(i, j int)      { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *mergeHeap[T]) Push(x any)         { h.runs = append(h.runs, x.(*mergeRun[T])) }
func (h *mergeHeap[T]) Pop() any {
	r := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return r
}
