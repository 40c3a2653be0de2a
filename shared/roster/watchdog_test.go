package roster_test

import (
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%s) = %v", name, err)
	}
	return loc
}

// I6: given the schedule, the grace period, the last arrival and now, the
// overdue window or none.
func TestScheduleOverdue(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	daily := roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "Europe/Paris", GraceHours: 6}
	weekly := roster.Schedule{Every: roster.EveryWeekly, Day: "monday", At: "06:00", Timezone: "Europe/Paris", GraceHours: 6}
	for _, tc := range []struct {
		name       string
		s          roster.Schedule
		since, now time.Time
		wantID     string // "" = not overdue
	}{
		{"arrived_today_early", daily, local(2026, 12, 1, 5, 50), local(2026, 12, 1, 13, 0), ""},
		{"arrived_today_late_in_grace", daily, local(2026, 12, 1, 11, 59), local(2026, 12, 1, 13, 0), ""},
		{"nothing_since_yesterday", daily, local(2026, 11, 30, 6, 5), local(2026, 12, 1, 12, 0), "2026-12-01"},
		{"still_in_grace", daily, local(2026, 11, 30, 6, 5), local(2026, 12, 1, 11, 59), ""},
		{"yesterday_just_before_deadline_counts_for_yesterday", daily, local(2026, 11, 30, 11, 59), local(2026, 12, 1, 12, 0), "2026-12-01"},
		{"yesterday_after_deadline_counts_for_today", daily, local(2026, 11, 30, 12, 0), local(2026, 12, 1, 12, 0), ""},
		{"three_days_silent_latest_window_only", daily, local(2026, 11, 27, 6, 0), local(2026, 12, 1, 18, 0), "2026-12-01"},
		{"created_mid_window_gets_a_pass", daily, local(2026, 12, 1, 10, 0), local(2026, 12, 1, 12, 30), ""},
		{"created_then_nothing_next_day", daily, local(2026, 12, 1, 10, 0), local(2026, 12, 2, 12, 30), "2026-12-02"},
		{"before_todays_deadline_yesterdays_window", daily, local(2026, 11, 28, 6, 0), local(2026, 12, 1, 9, 0), "2026-11-30"},
		{"weekly_on_time", weekly, local(2026, 11, 30, 6, 0), local(2026, 12, 3, 12, 0), ""}, // Mon 30 Nov
		{"weekly_missed", weekly, local(2026, 11, 23, 6, 0), local(2026, 12, 3, 12, 0), "2026-11-30"},
		{"weekly_in_grace", weekly, local(2026, 11, 23, 6, 0), local(2026, 11, 30, 11, 0), ""},
		{"weekly_on_sunday", weekly, local(2026, 11, 23, 6, 0), local(2026, 12, 6, 23, 0), "2026-11-30"},
		{"no_grace", roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "UTC"},
			time.Date(2026, 11, 30, 5, 59, 0, 0, time.UTC), time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), "2026-12-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := tc.s.Overdue(tc.since, tc.now)
			switch {
			case tc.wantID == "" && ok:
				t.Errorf("Overdue(since %s, now %s) = window %s, want none", tc.since, tc.now, w.ID)
			case tc.wantID != "" && (!ok || w.ID != tc.wantID):
				t.Errorf("Overdue(since %s, now %s) = %q, %t; want window %s", tc.since, tc.now, w.ID, ok, tc.wantID)
			}
		})
	}
}

// I6: ticking every 10 minutes through a silent fortnight that spans both
// DST changes of a year, the watchdog meets each missed window once, in
// date order, none skipped, each first seen at the local deadline (12:00).
func TestScheduleOverdueOncePerWindowAcrossDST(t *testing.T) {
	for _, tc := range []struct{ zone, from string }{
		{"Europe/Paris", "2026-03-24"},     // spring forward on Sunday 29 March
		{"Europe/Paris", "2026-10-20"},     // fall back on Sunday 25 October
		{"America/New_York", "2026-03-04"}, // spring forward on 8 March
		{"Australia/Sydney", "2026-03-30"}, // fall back on 5 April
	} {
		t.Run(tc.zone+"_"+tc.from, func(t *testing.T) {
			loc := zone(t, tc.zone)
			start, err := time.ParseInLocation(time.DateOnly, tc.from, loc)
			if err != nil {
				t.Fatal(err)
			}
			s := roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: tc.zone, GraceHours: 6}
			since := start.Add(7 * time.Hour) // the file of the first day arrived at 07:00
			seen := map[string]bool{}
			var order []string
			for now := since; now.Before(start.AddDate(0, 0, 14)); now = now.Add(10 * time.Minute) {
				w, ok := s.Overdue(since, now)
				if !ok || seen[w.ID] {
					continue
				}
				seen[w.ID] = true
				order = append(order, w.ID)
				if l := now.In(loc); l.Hour() != 12 || l.Minute() != 0 {
					t.Errorf("window %s first overdue at %s local, want 12:00", w.ID, l.Format("15:04"))
				}
				if !w.Deadline.Equal(now) {
					t.Errorf("window %s deadline %s, first overdue at %s", w.ID, w.Deadline, now)
				}
			}
			if len(order) != 13 {
				t.Fatalf("missed windows = %v (%d), want the 13 days after %s", order, len(order), tc.from)
			}
			for i, id := range order {
				if want := start.AddDate(0, 0, i+1).Format(time.DateOnly); id != want {
					t.Errorf("missed window %d = %s, want %s", i, id, want)
				}
			}
		})
	}
}

// I6: the grace period is elapsed time: the deadline of the 22:00 file of
// 28 March, the night clocks go forward in Paris, is 05:00 local, not 04:00.
func TestScheduleDeadlineIsElapsedGrace(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	s := roster.Schedule{Every: roster.EveryDaily, At: "22:00", Timezone: "Europe/Paris", GraceHours: 6}
	since := time.Date(2026, 3, 27, 22, 0, 0, 0, paris)
	if w, ok := s.Overdue(since, time.Date(2026, 3, 29, 4, 30, 0, 0, paris)); ok {
		t.Errorf("Overdue at 04:30 = window %s, want none (the deadline is 05:00)", w.ID)
	}
	w, ok := s.Overdue(since, time.Date(2026, 3, 29, 5, 0, 0, 0, paris))
	if !ok || w.ID != "2026-03-28" || !w.Deadline.Equal(time.Date(2026, 3, 29, 5, 0, 0, 0, paris)) {
		t.Errorf("Overdue at 05:00 = %+v, %t; want window 2026-03-28 due 05:00 on 29 March", w, ok)
	}
}

// I6: the watchdog tells once per missed window, watches from creation
// when nothing arrived, and skips integrations with no schedule or
// disabled.
func TestIntegrationDue(t *testing.T) {
	created := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	in := roster.Integration{ID: "hr", CreatedAt: created,
		Schedule: &roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "UTC", GraceHours: 6}}
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name   string
		in     func(roster.Integration) roster.Integration
		st     roster.SyncState
		now    time.Time
		wantID string
	}{
		{"created_nothing_arrived_first_day_passes", nil, roster.SyncState{}, created.Add(4 * time.Hour), ""},
		{"created_nothing_arrived_next_deadline", nil, roster.SyncState{}, day(1, 12), "2026-12-01"},
		{"told_already", nil, roster.SyncState{NotifiedWindow: "2026-12-01"}, day(1, 18), ""},
		{"told_yesterday_due_today", nil, roster.SyncState{NotifiedWindow: "2026-12-01"}, day(2, 12), "2026-12-02"},
		{"arrived_today", nil, roster.SyncState{LastArrival: day(1, 7)}, day(1, 13), ""},
		{"no_schedule", func(in roster.Integration) roster.Integration { in.Schedule = nil; return in }, roster.SyncState{}, day(5, 12), ""},
		{"disabled", func(in roster.Integration) roster.Integration { in.Disabled = true; return in }, roster.SyncState{}, day(5, 12), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := in
			if tc.in != nil {
				i = tc.in(in)
			}
			w, ok := i.Due(tc.st, tc.now)
			switch {
			case tc.wantID == "" && ok:
				t.Errorf("Due(%+v, %s) = window %s, want none", tc.st, tc.now, w.ID)
			case tc.wantID != "" && (!ok || w.ID != tc.wantID):
				t.Errorf("Due(%+v, %s) = %q, %t; want %s", tc.st, tc.now, w.ID, ok, tc.wantID)
			}
		})
	}
}
