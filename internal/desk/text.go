package desk

import (
	"unicode"
	"unicode/utf8"
)

// One rule for the text every edge takes in (forms, query strings, JSON, the
// webhook, CSV rows, command-line arguments): valid UTF-8, no NUL, and no
// other control character but the tab, and line breaks in the fields that
// hold several lines. Text that breaks it is refused, naming the field,
// before it reaches a database: PostgreSQL refuses a NUL and invalid UTF-8
// (a 500 otherwise), SQLite would store them and a later copy to PostgreSQL
// would fail on the row.

// MultiLine reports whether the field named name holds several lines of
// text.
func MultiLine(name string) bool {
	switch name {
	case "description", "text", "note", "pop_log_text", "pop_note", "address", "public_log", "private_log", "log_text":
		return true
	}
	return false
}

// ValidText reports whether s is text a field may hold: valid UTF-8 with no
// control character but the tab, and, when multiLine, line breaks.
func ValidText(s string, multiLine bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if c != '\t' && !(multiLine && (c == '\n' || c == '\r')) {
					return false
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if unicode.IsControl(r) { // the C1 controls
			return false
		}
		i += size
	}
	return true
}

// CheckText returns the error of a field whose value is not valid text,
// nil when it is.
func CheckText(name, value string) error {
	if ValidText(value, MultiLine(name)) {
		return nil
	}
	if !utf8.ValidString(name) || !ValidText(name, false) {
		name = "?" // the name itself is not text: do not echo it
	}
	return Invalid(name, "error.not_text", name)
}
