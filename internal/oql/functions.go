package oql

import (
	"fmt"
	"strings"
	"time"
)

// The functions of iTop's language that ctidesk supports compute in Go when
// their arguments are known at compilation (NOW(), a parameter): the
// database then compares an attribute with a value, on its index. Only a
// function of an attribute is left to the database (the dialect's
// shiftDate and formatDate).

// shift returns t moved by n units of INTERVAL, as MySQL does: a month or
// year later than the 31st is the last day of its month.
func shift(t time.Time, n int64, unit string) time.Time {
	switch unit {
	case "SECOND":
		return t.Add(time.Duration(n) * time.Second)
	case "MINUTE":
		return t.Add(time.Duration(n) * time.Minute)
	case "HOUR":
		return t.Add(time.Duration(n) * time.Hour)
	case "DAY":
		return t.AddDate(0, 0, int(n))
	case "WEEK":
		return t.AddDate(0, 0, 7*int(n))
	}
	months := int(n)
	switch unit {
	case "QUARTER":
		months *= 3
	case "YEAR":
		months *= 12
	}
	first := time.Date(t.Year(), t.Month(), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location()).AddDate(0, months, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

// intervalAmount returns n units of INTERVAL as an amount of the units
// both databases know (seconds... days, months), negative to go back.
func intervalAmount(n int64, unit string) (int64, string) {
	switch unit {
	case "SECOND":
		return n, "seconds"
	case "MINUTE":
		return n, "minutes"
	case "HOUR":
		return n, "hours"
	case "DAY":
		return n, "days"
	case "WEEK":
		return 7 * n, "days"
	case "QUARTER":
		return 3 * n, "months"
	case "YEAR":
		return 12 * n, "months"
	}
	return n, "months"
}

// formatPart is a piece of a DATE_FORMAT format: a specifier (%Y) or text.
type formatPart struct {
	spec byte // 0 for text
	text string
}

// dateSpecifiers are the specifiers of MySQL's DATE_FORMAT that ctidesk
// supports, with their Go layout, SQLite strftime and PostgreSQL to_char
// equivalents.
var dateSpecifiers = map[byte]struct{ golang, sqlite, postgres string }{
	'Y': {"2006", "%Y", "YYYY"},
	'm': {"01", "%m", "MM"},
	'd': {"02", "%d", "DD"},
	'H': {"15", "%H", "HH24"},
	'i': {"04", "%M", "MI"},
	's': {"05", "%S", "SS"},
	'S': {"05", "%S", "SS"},
	'T': {"15:04:05", "%H:%M:%S", "HH24:MI:SS"},
	'j': {"002", "%j", "DDD"},
}

// dateFormat reads a format of DATE_FORMAT.
func dateFormat(f string) ([]formatPart, error) {
	var parts []formatPart
	var text strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			text.WriteByte(f[i])
			continue
		}
		if i+1 == len(f) {
			return nil, fmt.Errorf("the format %q of DATE_FORMAT ends with %%", f)
		}
		i++
		if f[i] == '%' {
			text.WriteByte('%')
			continue
		}
		if _, ok := dateSpecifiers[f[i]]; !ok {
			return nil, fmt.Errorf("DATE_FORMAT: %%%c is not supported (ctidesk knows %%Y %%m %%d %%H %%i %%s %%T %%j and %%%%)", f[i])
		}
		if text.Len() > 0 {
			parts = append(parts, formatPart{text: text.String()})
			text.Reset()
		}
		parts = append(parts, formatPart{spec: f[i]})
	}
	if text.Len() > 0 {
		parts = append(parts, formatPart{text: text.String()})
	}
	return parts, nil
}

// formatGo formats t as the parts say.
func formatGo(t time.Time, parts []formatPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.spec == 0 {
			b.WriteString(p.text)
		} else {
			b.WriteString(t.UTC().Format(dateSpecifiers[p.spec].golang))
		}
	}
	return b.String()
}

// formatFor returns the format of the dialect's function for the parts:
// SQLite's strftime, or PostgreSQL's to_char, whose text is quoted so that
// no letter of it is taken for a pattern.
func formatFor(d Dialect, parts []formatPart) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.spec != 0 && d == PostgreSQL:
			b.WriteString(dateSpecifiers[p.spec].postgres)
		case p.spec != 0:
			b.WriteString(dateSpecifiers[p.spec].sqlite)
		case d == PostgreSQL:
			b.WriteString(`"` + strings.ReplaceAll(p.text, `"`, `\"`) + `"`)
		default:
			b.WriteString(strings.ReplaceAll(p.text, "%", "%%"))
		}
	}
	return b.String()
}
