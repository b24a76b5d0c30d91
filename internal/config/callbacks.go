package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Callbacks configures when the callback of a missed call is due: DueAfter
// of working time after the first missed call.
type Callbacks struct {
	// DueAfter is how much working time the desk has to call back.
	DueAfter time.Duration
	// WorkingHours are when that time runs; the zero value: always.
	WorkingHours WorkingHours
	// Location is the time zone of WorkingHours; nil: UTC.
	Location *time.Location
}

// WorkingHours are the days of the week and the hours of those days the
// desk works: "Mon-Fri 09:00-18:00", "Mon-Thu,Sat 08:30-17:00". One span a
// day, the same every working day; the zero value is every hour of every
// day.
type WorkingHours struct {
	Days       [7]bool       // by time.Weekday
	Start, End time.Duration // since midnight, Start < End
}

// Always reports whether the working hours are every hour of every day.
func (w WorkingHours) Always() bool { return w == WorkingHours{} }

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// String writes the working hours as ParseWorkingHours reads them; "" for
// always.
func (w WorkingHours) String() string {
	if w.Always() {
		return ""
	}
	var days []string
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for i := 0; i < len(order); {
		if !w.Days[order[i]] {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && w.Days[order[j+1]] {
			j++
		}
		name := func(d time.Weekday) string {
			return strings.ToUpper(dayNames[d][:1]) + dayNames[d][1:]
		}
		if j == i {
			days = append(days, name(order[i]))
		} else {
			days = append(days, name(order[i])+"-"+name(order[j]))
		}
		i = j + 1
	}
	clock := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return strings.Join(days, ",") + " " + clock(w.Start) + "-" + clock(w.End)
}

// ParseWorkingHours reads "DAYS HH:MM-HH:MM": DAYS a comma-separated list of
// days (Mon, Tue, … Sun, any case) and ranges of days (Mon-Fri); "" is
// always.
func ParseWorkingHours(s string) (WorkingHours, error) {
	var w WorkingHours
	s = strings.TrimSpace(s)
	if s == "" {
		return w, nil
	}
	bad := fmt.Errorf("%q is not working hours such as \"Mon-Fri 09:00-18:00\"", s)
	days, hours, ok := strings.Cut(s, " ")
	if !ok {
		return w, bad
	}
	day := func(name string) (int, bool) {
		for i, d := range dayNames {
			if strings.EqualFold(strings.TrimSpace(name), d) {
				return i, true
			}
		}
		return 0, false
	}
	for _, part := range strings.Split(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := day(from)
		if !ok {
			return w, bad
		}
		b := a
		if isRange {
			if b, ok = day(to); !ok {
				return w, bad
			}
		}
		for i := a; ; i = (i + 1) % 7 { // Fri-Mon wraps over the weekend
			w.Days[i] = true
			if i == b {
				break
			}
		}
	}
	clock := func(s string) (time.Duration, bool) {
		h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
			return 0, false
		}
		return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, true
	}
	from, to, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return w, bad
	}
	var ok1, ok2 bool
	w.Start, ok1 = clock(from)
	w.End, ok2 = clock(to)
	if !ok1 || !ok2 {
		return w, bad
	}
	if w.End <= w.Start {
		return w, fmt.Errorf("working hours %q end before they start", s)
	}
	return w, nil
}

// Due returns when the callback of a call missed at t is due: DueAfter of
// working time after t (a call missed out of hours counts from the next
// opening).
func (c Callbacks) Due(t time.Time) time.Time {
	if c.WorkingHours.Always() {
		return t.Add(c.DueAfter)
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	w, left := c.WorkingHours, c.DueAfter
	at := t.In(loc)
	for range 7 * 60 { // DueAfter is bounded: weeks of working time at most
		y, m, d := at.Date()
		open := time.Date(y, m, d, 0, 0, 0, 0, loc).Add(w.Start)
		closes := time.Date(y, m, d, 0, 0, 0, 0, loc).Add(w.End)
		if w.Days[at.Weekday()] && at.Before(closes) {
			if at.Before(open) {
				at = open
			}
			avail := closes.Sub(at)
			if left <= avail {
				return at.Add(left).In(t.Location())
			}
			left -= avail
		}
		at = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	return at.In(t.Location())
}

// maxDueAfter bounds callbacks.due_after.
const maxDueAfter = 30 * 24 * time.Hour

func parseDueAfter(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration, such as 2h, 90m or 30m", s)
	}
	if d <= 0 || d > maxDueAfter {
		return 0, errors.New("due_after is more than 0 and at most 720h")
	}
	return d, nil
}

// parseTimeZone reads callbacks.time_zone: an IANA name.
func parseTimeZone(s string) (*time.Location, error) {
	loc, err := time.LoadLocation(strings.TrimSpace(s))
	if err != nil || strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("unknown time zone %q: want an IANA name such as Europe/Paris or UTC", s)
	}
	return loc, nil
}
