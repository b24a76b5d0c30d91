package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
)

// TestCallbacksDue: a callback is due after callbacks.due_after of working
// time, counted from the next opening for a call missed out of hours.
func TestCallbacksDue(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	c, err := config.Parse("test.yaml", []byte("callbacks:\n  due_after: 2h\n  working_hours: mon-fri 09:00-18:00\n  time_zone: Europe/Paris\n"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct{ missed, due string }{
		{"2026-12-02 10:00", "2026-12-02 12:00"}, // Wednesday, within hours
		{"2026-12-02 17:30", "2026-12-03 10:30"}, // half an hour today, the rest tomorrow
		{"2026-12-02 20:00", "2026-12-03 11:00"}, // after hours: from the next opening
		{"2026-12-04 17:00", "2026-12-07 10:00"}, // Friday evening: Monday
		{"2026-12-05 11:00", "2026-12-07 11:00"}, // Saturday
		{"2026-12-02 07:00", "2026-12-02 11:00"}, // before opening
	} {
		if got := c.Callbacks.Due(at(tt.missed)); !got.Equal(at(tt.due)) {
			t.Errorf("missed %s: due %s, want %s", tt.missed, got.In(paris).Format("2006-01-02 15:04"), tt.due)
		}
	}
	always := config.Callbacks{DueAfter: 90 * time.Minute}
	if got := always.Due(at("2026-12-05 23:00")); !got.Equal(at("2026-12-06 00:30")) {
		t.Errorf("without working hours: due %s", got)
	}
	def := config.Default().Callbacks
	if def.DueAfter != 2*time.Hour || def.WorkingHours.String() != "Mon-Fri 09:00-18:00" {
		t.Errorf("default %+v", def)
	}
	for _, bad := range []struct{ yaml, want string }{
		{"working_hours: Mon-Fri", "is not working hours"},
		{"working_hours: Mon-Fri 18:00-09:00", "end before they start"},
		{"working_hours: Lun-Ven 09:00-18:00", "is not working hours"},
		{"due_after: 0s", "more than 0"},
		{"due_after: two hours", "is not a duration"},
		{"time_zone: Mars/Olympus", "unknown time zone"},
		{"due: 2h", "unknown key"},
	} {
		_, err := config.Parse("test.yaml", []byte("callbacks:\n  "+bad.yaml+"\n"))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.yaml, err, bad.want)
		}
	}
	for _, s := range []string{"Mon-Fri 09:00-18:00", "Mon,Wed-Thu,Sun 08:30-24:00", ""} {
		w, err := config.ParseWorkingHours(s)
		if err != nil || w.String() != s {
			t.Errorf("%q read back as %q, %v", s, w.String(), err)
		}
	}
}
