package roster

import (
	"path"
	"slices"
	"strings"
	"time"
)

// SyncStatus is how one pushed file ended (DESIGN §5, `sync --json`).
type SyncStatus string

const (
	SyncCompleted SyncStatus = "completed" // applied
	SyncTested    SyncStatus = "tested"    // test mode: reviewed, nothing applied (I7)
	SyncHeld      SyncStatus = "held"      // applied except the suspensions, which wait for an admin (I5)
	SyncRefused   SyncStatus = "refused"   // a mapped header is missing: nothing applied (I3)
	SyncDuplicate SyncStatus = "duplicate" // these bytes were received before: nothing done (I2)
	SyncStale     SyncStatus = "stale"     // older than the last applied file: nothing applied (I2)
	SyncIgnored   SyncStatus = "ignored"   // name outside the pattern, or unknown or disabled integration (I2)
	// SyncStarted: live, its run goes on (in AWS, in Step Functions); the
	// run's end gives the file its final status.
	SyncStarted SyncStatus = "started"
)

// SyncCounts are an import's counts plus what off-boarding did (I4, I5).
// In test mode they are the would-be counts (I7).
type SyncCounts struct {
	Counts
	Suspended int `json:"suspended"` // suspended by this file (status values and missing people)
	Held      int `json:"held"`      // suspensions waiting for an admin (I5)
}

// SyncResult is the outcome of one pushed file, as `sync --json` prints it.
type SyncResult struct {
	ImportID       string     `json:"importId"`
	Status         SyncStatus `json:"status"`
	Counts         SyncCounts `json:"counts"`
	MissingHeaders []string   `json:"missingHeaders"`
	Flags          []Flag     `json:"flags"`
}

// FileMark is what sync remembers of the last file it applied, for the
// stale check (I2).
type FileMark struct {
	Name      string    `json:"name"` // relative to the inbound prefix
	ArrivedAt time.Time `json:"arrivedAt"`
	ImportID  string    `json:"importId,omitempty"`
}

// SyncState is what sync remembers of one integration's files.
type SyncState struct {
	Tenant        string `json:"tenant"`
	IntegrationID string `json:"integrationId"`
	// LastArrival is when the last complete file arrived, whatever became
	// of it: the watchdog watches arrivals (I6).
	LastArrival time.Time `json:"lastArrival,omitzero"`
	LastApplied *FileMark `json:"lastApplied,omitempty"` // I2
	// NotifiedWindow is the ID of the last missed window the contacts were
	// told about, so that each is told once (I6).
	NotifiedWindow string `json:"notifiedWindow,omitempty"`
	Version        int64  `json:"version"` // optimistic concurrency; 0 = not stored yet
}

// IncompleteReason says why a file under an inbound prefix must not be read
// (I2: an upload still in progress or abandoned), or "" when it may be.
// name is relative to the prefix.
func IncompleteReason(name string, size int64) string {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return "hidden or temporary name (starts with .)"
		}
	}
	base := strings.ToLower(path.Base(name))
	for _, ext := range []string{".part", ".filepart", ".tmp"} {
		if strings.HasSuffix(base, ext) {
			return "temporary name (*" + ext + "): the upload is not finished"
		}
	}
	if size == 0 {
		return "zero bytes"
	}
	return ""
}

// MatchesName reports whether name (relative to the inbound prefix) matches
// the integration's fileName glob (I2). Matching ignores case, since
// exports often change an extension's case; * does not cross folders.
func MatchesName(pattern, name string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(name))
	return err == nil && ok
}

// NameDate finds the date in a file name (I2): YYYY-MM-DD, or YYYYMMDD
// alone or leading a YYYYMMDDhhmm[ss] stamp, not inside a longer number.
// The first one that is a real date wins; ok is false when there is none.
func NameDate(name string) (day time.Time, ok bool) {
	isDigit := func(i int) bool { return i >= 0 && i < len(name) && name[i] >= '0' && name[i] <= '9' }
	for i := 0; i < len(name); i++ {
		if !isDigit(i) || isDigit(i-1) {
			continue
		}
		j := i
		for isDigit(j) {
			j++
		}
		var cand, layout string
		switch n := j - i; {
		case n == 4 && j+6 <= len(name) && name[j] == '-' && isDigit(j+1) && isDigit(j+2) && name[j+3] == '-' &&
			isDigit(j+4) && isDigit(j+5) && !isDigit(j+6):
			cand, layout = name[i:j+6], "2006-01-02"
		case n == 8 || n == 12 || n == 14:
			cand, layout = name[i:i+8], "20060102"
		}
		if cand != "" {
			if d, err := time.Parse(layout, cand); err == nil && d.Year() >= 1900 {
				return d, true
			}
		}
		i = j
	}
	return time.Time{}, false
}

// Stale reports whether a file is older than the last one applied (I2): by
// the dates in both names when both have one, else by arrival time. A file
// of the same date is not stale (a corrected export of the same day).
func Stale(last *FileMark, name string, arrived time.Time) bool {
	if last == nil {
		return false
	}
	prev, ok1 := NameDate(last.Name)
	cur, ok2 := NameDate(name)
	if ok1 && ok2 {
		return cur.Before(prev)
	}
	return arrived.Before(last.ArrivedAt)
}

// HeaderKey is how header names are compared (I3): trimmed, case-folded,
// with a UTF-8 byte order mark ignored.
func HeaderKey(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
}

// HeaderFit is how a file's header row fits an integration's mapping (I3).
type HeaderFit struct {
	Mapping   Mapping  // by column, for the sheet's plan
	Missing   []string // mapped headers absent from the file, as the mapping spells them, sorted
	Duplicate []string // mapped headers the file has more than once, sorted
	Unmapped  []int    // columns whose header the mapping does not name: new columns
}

// Refused reports whether the file must not be applied at all (I3).
func (f HeaderFit) Refused() bool { return len(f.Missing) > 0 || len(f.Duplicate) > 0 }

// FitHeaders matches a file's headers to a mapping by header name (I3).
// A header mapped to ignore is never missing; blank header cells are
// neither mapped nor new.
func FitHeaders(mapping map[string]string, headers []string) HeaderFit {
	var f HeaderFit
	byKey := make(map[string]string, len(mapping))
	for h := range mapping {
		byKey[HeaderKey(h)] = h
	}
	found := map[string]int{} // mapping header → times seen
	f.Mapping = make(Mapping, len(headers))
	for i, h := range headers {
		k := HeaderKey(h)
		if k == "" {
			continue
		}
		name, ok := byKey[k]
		if !ok {
			f.Unmapped = append(f.Unmapped, i)
			continue
		}
		found[name]++
		if found[name] == 1 {
			f.Mapping[i] = mapping[name]
		}
	}
	for h, t := range mapping {
		switch {
		case found[h] == 0 && t != TargetIgnore:
			f.Missing = append(f.Missing, h)
		case found[h] > 1 && t != TargetIgnore:
			f.Duplicate = append(f.Duplicate, h)
		}
	}
	slices.Sort(f.Missing)
	slices.Sort(f.Duplicate)
	return f
}

// Warnings are the flags of the new, unmapped columns (I3), on the header
// row (1-based; 0 when the sheet has none).
func (f HeaderFit) Warnings(sheet string, headerRow int, headers []string) []Flag {
	var flags []Flag
	for _, i := range f.Unmapped {
		flags = append(flags, Flag{
			Sheet: sheet, Row: headerRow, Column: ColumnName(i), Value: headers[i],
			Reason:   "new column: the integration's mapping does not name it, so it is not imported",
			Severity: SeverityWarning, Rule: "I3",
		})
	}
	return flags
}

// ValveOutcome is the safety valve's decision about a file's suspensions.
type ValveOutcome string

const (
	ValveApply ValveOutcome = "apply" // within the limits: suspend
	ValveHold  ValveOutcome = "hold"  // over both limits: hold every suspension for an admin (I5)
	ValveEmpty ValveOutcome = "empty" // the file has no data rows: suspend nobody, hold nothing (I5)
)

// Decide applies the safety valve (I5) to a file that would suspend
// wouldSuspend people (missing ones and those its status values suspend)
// out of population, the role's participants not yet suspended. It holds
// when the file would suspend more than MaxShare of them AND more than
// MaxCount people.
func (v Valve) Decide(wouldSuspend, population, dataRows int) ValveOutcome {
	if dataRows == 0 {
		return ValveEmpty
	}
	if wouldSuspend <= v.MaxCount {
		return ValveApply
	}
	share := 1.0
	if population > 0 {
		share = float64(wouldSuspend) / float64(population)
	}
	if share > v.MaxShare {
		return ValveHold
	}
	return ValveApply
}

// Window is one expected file's watch window (I6). Windows tile time: each
// runs from the previous expected file's deadline to this one's, so any
// arrival falls in exactly one.
type Window struct {
	ID       string    // the expected file's local date, YYYY-MM-DD: stable across DST and schedule edits
	Expected time.Time // the schedule's time that day
	Deadline time.Time // Expected plus the grace period
}

// Overdue returns the latest window whose deadline has passed with no file
// arriving in it (I6). since is the last arrival, or when watching began
// when nothing arrived yet. Windows before the latest are not returned:
// one email says files stopped, with the date of the last one.
func (s Schedule) Overdue(since, now time.Time) (Window, bool) {
	loc, err := time.LoadLocation(s.Timezone)
	if err != nil {
		return Window{}, false
	}
	cur := s.windowOn(s.lastSlotDay(now.In(loc), loc), loc)
	for cur.Deadline.After(now) {
		cur = s.previous(cur, loc)
	}
	prev := s.previous(cur, loc)
	if !since.Before(prev.Deadline) {
		return Window{}, false
	}
	return cur, true
}

// lastSlotDay is the latest local day, on or before t's, that has a slot.
func (s Schedule) lastSlotDay(t time.Time, loc *time.Location) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	if s.Every == EveryWeekly {
		want := weekdays[strings.ToLower(s.Day)]
		back := (int(day.Weekday()) - int(want) + 7) % 7
		day = time.Date(day.Year(), day.Month(), day.Day()-back, 0, 0, 0, 0, loc)
	}
	return day
}

func (s Schedule) windowOn(day time.Time, loc *time.Location) Window {
	h, m, _ := parseClock(s.At)
	exp := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	return Window{
		ID:       day.Format("2006-01-02"),
		Expected: exp,
		Deadline: exp.Add(time.Duration(s.GraceHours) * time.Hour),
	}
}

func (s Schedule) previous(w Window, loc *time.Location) Window {
	step := 1
	if s.Every == EveryWeekly {
		step = 7
	}
	d := w.Expected
	return s.windowOn(time.Date(d.Year(), d.Month(), d.Day()-step, 0, 0, 0, 0, loc), loc)
}

// InboundKey is the blob key of a file arriving for an integration (I1).
func InboundKey(tenant, integrationID, name string) string {
	return InboundPrefix(tenant, integrationID) + name
}

// ParseInboundKey splits a blob key under inbound/ into its tenant,
// integration and name (relative to the integration's prefix). ok is false
// for keys outside inbound/, IDs of the wrong shape, or a name that is
// empty or has an empty, "." or ".." segment.
func ParseInboundKey(key string) (tenant, integrationID, name string, ok bool) {
	rest, found := strings.CutPrefix(key, "inbound/")
	if !found {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 || parts[2] == "" || strings.HasSuffix(parts[2], "/") ||
		!integrationIDPattern.MatchString(parts[0]) || !integrationIDPattern.MatchString(parts[1]) {
		return "", "", "", false
	}
	for _, seg := range strings.Split(parts[2], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", "", false
		}
	}
	return parts[0], parts[1], parts[2], true
}

// Admit decides whether an arrived file may be read at all (I2): not when
// its upload is incomplete, the integration is disabled, or the name is
// outside the pattern. The status is then SyncIgnored and reason says why
// (for the log line); ok means read it. An unknown integration is the
// caller's to report: there is no Integration to ask.
func (in Integration) Admit(name string, size int64) (reason string, ok bool) {
	switch {
	case in.Disabled:
		return "the integration is disabled", false
	case IncompleteReason(name, size) != "":
		return "incomplete upload: " + IncompleteReason(name, size), false
	case !MatchesName(in.FileName, name):
		return "the name does not match " + in.FileName, false
	}
	return "", true
}

// Due returns the window the watchdog must tell the contacts about now
// (I6), or false: none is overdue, the integration has no schedule or is
// disabled, or this window was told already. Watching starts with the
// integration's creation when no file has arrived yet. After telling,
// record it with st.NotifiedWindow = w.ID (written with PutSyncState's
// version check, so two watchdogs tell once).
func (in Integration) Due(st SyncState, now time.Time) (Window, bool) {
	if in.Schedule == nil || in.Disabled {
		return Window{}, false
	}
	since := st.LastArrival
	if since.IsZero() {
		since = in.CreatedAt
	}
	w, ok := in.Schedule.Overdue(since, now)
	if !ok || w.ID == st.NotifiedWindow {
		return Window{}, false
	}
	return w, true
}
