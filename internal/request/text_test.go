package request_test

import (
	"net/url"
	"testing"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/request"
)

func TestValidText(t *testing.T) {
	for _, tt := range []struct {
		s                string
		single, multiple bool
	}{
		{"Zoë O'Brien <b>", true, true},
		{"tab\tseparated", true, true},
		{"two\nlines\r\n", false, true},
		{"a\x00b", false, false},
		{"bell\x07", false, false},
		{"del\x7f", false, false},
		{"caf\xc3\x28", false, false},
		{"\xe2\x82", false, false},
		{"c1 \u0085 control", false, false},
		{"", true, true},
		{"日本語 ☎", true, true},
	} {
		if got := desk.ValidText(tt.s, false); got != tt.single {
			t.Errorf("ValidText(%q, single line) = %v", tt.s, got)
		}
		if got := desk.ValidText(tt.s, true); got != tt.multiple {
			t.Errorf("ValidText(%q, lines) = %v", tt.s, got)
		}
	}
	err := request.CheckValues(url.Values{"name": {"ok"}, "title": {"a\x00b"}})
	if desk.ErrorCode(err) != desk.EINVALID || desk.ErrorField(err) != "title" {
		t.Errorf("CheckValues: %v, want EINVALID naming title", err)
	}
	if err := request.CheckValues(url.Values{"description": {"line 1\r\nline 2\tend"}}); err != nil {
		t.Errorf("a description of two lines: %v", err)
	}
	if err := request.CheckValues(url.Values{"n\xffme": {"x"}}); desk.ErrorField(err) != "?" {
		t.Errorf("a name that is not text: %v, want it refused without echoing it", err)
	}
}
