package roster_test

import (
	"fmt"
	"iter"
	"runtime"
	"slices"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

func people(specs ...string) []roster.Participant {
	// each spec is "userID role status"
	var ps []roster.Participant
	for _, s := range specs {
		var id, role, status string
		fmt.Sscan(s, &id, &role, &status)
		ps = append(ps, roster.Participant{UserID: id, Role: role, Status: roster.Status(status)})
	}
	return ps
}

func ids(ps iter.Seq[roster.Participant]) []string {
	out := []string{}
	for p := range ps {
		out = append(out, p.UserID)
	}
	return out
}

// I4: off-boarding suspends the role's participants absent from a full
// file, not those already suspended nor those of other roles.
func TestAbsent(t *testing.T) {
	all := people("u1 mentee active", "u2 mentee pending", "u3 mentor active", "u4 mentee suspended", "u5 mentee active", "u7 mentee active")
	for _, tc := range []struct {
		name    string
		present []string
		want    []string
	}{
		{"everyone_present", []string{"u1", "u2", "u3", "u4", "u5", "u7"}, []string{}},
		{"some_missing", []string{"u1", "u5"}, []string{"u2", "u7"}},
		{"repeats_and_strangers", []string{"u0", "u1", "u1", "u6", "u7", "u9"}, []string{"u2", "u5"}},
		{"nobody_present", nil, []string{"u1", "u2", "u5", "u7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(roster.Absent(slices.Values(all), slices.Values(tc.present), "mentee"))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Absent(present %v) = %v, want %v", tc.present, got, tc.want)
			}
		})
	}
	n := 0
	for range roster.Absent(slices.Values(all), slices.Values([]string{}), "mentee") {
		n++
		break
	}
	if n != 1 {
		t.Errorf("Absent stopped early yielded %d, want 1", n)
	}
}

func TestMergeSorted(t *testing.T) {
	got := slices.Collect(roster.MergeSorted(
		slices.Values([]string{"b", "d", "f"}), slices.Values([]string{}), slices.Values([]string{"a", "d", "z"}), slices.Values([]string{"c"})))
	if want := []string{"a", "b", "c", "d", "d", "f", "z"}; !slices.Equal(got, want) {
		t.Errorf("MergeSorted = %v, want %v", got, want)
	}
	var first []string
	for v := range roster.MergeSorted(slices.Values([]string{"b"}), slices.Values([]string{"a"})) {
		first = append(first, v)
		break
	}
	if !slices.Equal(first, []string{"a"}) {
		t.Errorf("MergeSorted stopped early = %v, want [a]", first)
	}
}

// BenchmarkAbsent streams a role of n participants against the user IDs a
// full file of n rows produced, in 500-row sorted batches merged back,
// with 1% missing. The heap in use after the pass stays flat as n grows
// (one value per batch): the pass never loads the program (I4, DESIGN §7).
func BenchmarkAbsent(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("participants=%d", n), func(b *testing.B) {
			id := func(i int) string { return fmt.Sprintf("u%08d", i) }
			participants := func(yield func(roster.Participant) bool) {
				for i := range n {
					if !yield(roster.Participant{UserID: id(i), Role: "mentee", Status: roster.StatusActive}) {
						return
					}
				}
			}
			const batch = 500
			var runs []iter.Seq[string]
			for start := 0; start < n; start += batch {
				runs = append(runs, func(yield func(string) bool) {
					for i := start; i < min(start+batch, n); i++ {
						if i%100 != 7 && !yield(id(i)) {
							return
						}
					}
				})
			}
			var peak uint64
			for b.Loop() {
				missing := 0
				for range roster.Absent(participants, roster.MergeSorted(runs...), "mentee") {
					missing++
					if missing%10 == 0 {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
				if missing != n/100 {
					b.Fatalf("missing = %d, want %d", missing, n/100)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "heapMB")
		})
	}
}

// TestLeaving: a pushed file suspends the participants it does not name
// (with off-boarding) and those it names with a suspending status value,
// each once, never one of another role or one suspended already (I4, I5).
func TestLeaving(t *testing.T) {
	ps := []roster.Participant{
		{UserID: "u1", Role: "mentee", Status: roster.StatusActive},
		{UserID: "u2", Role: "mentee", Status: roster.StatusActive},
		{UserID: "u3", Role: "mentee", Status: roster.StatusPending},
		{UserID: "u4", Role: "mentor", Status: roster.StatusActive},
		{UserID: "u5", Role: "mentee", Status: roster.StatusSuspended},
		{UserID: "u6", Role: "mentee", Status: roster.StatusActive},
	}
	present := []string{"u1", "u1", "u2", "u5", "u6"}
	suspend := []string{"u2", "u2", "u4", "u5"}
	ids := func(missing bool) []string {
		var got []string
		for p := range roster.Leaving(slices.Values(ps), slices.Values(present), missing, slices.Values(suspend), "mentee") {
			got = append(got, p.UserID)
		}
		return got
	}
	if got, want := ids(true), []string{"u2", "u3"}; !slices.Equal(got, want) {
		t.Errorf("Leaving with off-boarding = %v, want %v (u2 by its status value, u3 absent)", got, want)
	}
	if got, want := ids(false), []string{"u2"}; !slices.Equal(got, want) {
		t.Errorf("Leaving without off-boarding = %v, want %v (the status value alone)", got, want)
	}
}
