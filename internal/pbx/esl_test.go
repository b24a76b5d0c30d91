package pbx_test

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/pbx"
	"github.com/ctidesk/ctidesk/internal/pbx/esltest"
)

// eslStream is what FreeSWITCH writes to a client that authenticates,
// subscribes, asks for the channels and gets one event, byte for byte.
const eslStream = "Content-Type: auth/request\n\n" +
	"Content-Type: command/reply\nReply-Text: +OK accepted\n\n" +
	"Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n" +
	"Content-Type: api/response\nContent-Length: 15\n\n{\"row_count\":0}" +
	"Content-Length: 116\nContent-Type: text/event-plain\n\n" +
	"Event-Name: CHANNEL_CREATE\nUnique-ID: 5e6659b8-8324-4f9d-b6ed-e7ef06057d07\nCaller-Caller-ID-Number: %2B14155550142\n\n" +
	"Content-Type: text/disconnect-notice\nContent-Length: 67\n\n" +
	"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

func TestReadESLFrame(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader(eslStream), 16<<10)
	var got []string
	for {
		f, err := pbx.ReadESLFrame(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after %q: %v", got, err)
			}
			break
		}
		s := f.Header.Get("Content-Type") + " " + f.Header.Get("Reply-Text")
		if f.Header.Get("Content-Type") == "text/event-plain" {
			ev := pbx.ParseESLEvent(f.Body)
			s += ev.Get("Event-Name") + " " + ev.Get("Caller-Caller-ID-Number")
		} else {
			s += strconv.Quote(string(f.Body))
		}
		got = append(got, s)
	}
	want := []string{
		`auth/request ""`,
		`command/reply +OK accepted""`,
		`command/reply +OK event listener enabled plain""`,
		`api/response "{\"row_count\":0}"`,
		`text/event-plain CHANNEL_CREATE +14155550142`,
		`text/disconnect-notice "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("frames\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	for _, bad := range []string{
		"Content-Type: api/response\nContent-Length: 15\n\n{\"row_", // cut off
		"Content-Type: api/response\nContent-Length: -1\n\n",
		"Content-Type: api/response\nContent-Length: 99999999999\n\n",
		"Content-Type: api/response\nContent-Length: x\n\n",
		"Content-Type: " + strings.Repeat("x", 20000) + "\n\n",
	} {
		if _, err := pbx.ReadESLFrame(bufio.NewReaderSize(strings.NewReader(bad), 16<<10)); err == nil ||
			errors.Is(err, io.EOF) {
			t.Errorf("ReadESLFrame(%.60q) = %v, want an error", bad, err)
		}
	}
}

func TestParseESLEvent(t *testing.T) {
	ev := pbx.ParseESLEvent([]byte("Event-Name: CHANNEL_HANGUP_COMPLETE\r\n" +
		"Caller-Caller-ID-Name: Ann%20O%27Neil\n" +
		"variable_sip_from_display: a+b\n" + // a + FreeSWITCH did not encode is a +, not a space
		"variable_broken: 100%\n" +
		"not a header\n" +
		"variable_billsec: 42\n" +
		"\n" +
		"Body-Line: after the headers\n"))
	for k, want := range map[string]string{
		"Event-Name": "CHANNEL_HANGUP_COMPLETE", "caller-caller-id-name": "Ann O'Neil",
		"variable_sip_from_display": "a+b", "variable_broken": "100%", "variable_billsec": "42", "Body-Line": "",
	} {
		if got := ev.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// FuzzReadESLFrame checks that any stream reads as frames or fails, without
// panicking or reading past a Content-Length, and that any value FreeSWITCH
// encodes reads back as it was.
func FuzzReadESLFrame(f *testing.F) {
	f.Add([]byte(eslStream), "Ann O'Neil <+1 (415) 555-0142>; tag=a:b")
	f.Add([]byte("Content-Length: 3\n\nabcContent-Length: 0\n\n"), "")
	f.Fuzz(func(t *testing.T, stream []byte, value string) {
		r := bufio.NewReaderSize(strings.NewReader(string(stream)), 16<<10)
		for range 100 {
			fr, err := pbx.ReadESLFrame(r)
			if err != nil {
				break
			}
			if n, err := strconv.Atoi(fr.Header.Get("Content-Length")); err == nil && len(fr.Body) != n {
				t.Fatalf("body of %d bytes, Content-Length %d", len(fr.Body), n)
			}
			pbx.ParseESLEvent(fr.Body)
		}
		if !utf8.ValidString(value) {
			return
		}
		enc := esltest.Encode(value)
		if strings.ContainsAny(enc, "\r\n") {
			t.Fatalf("Encode(%q) = %q holds a line break", value, enc)
		}
		if got := pbx.ParseESLEvent([]byte("V: " + enc + "\n")).Get("V"); got != value {
			t.Fatalf("%q encoded as %q reads back as %q", value, enc, got)
		}
	})
}
