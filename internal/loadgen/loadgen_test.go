package loadgen

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]int
		wantErr string
	}{
		{"callers", map[string]int{Callers: 1}, ""},
		{"pop=1, callers=3,events=0", map[string]int{Pop: 1, Callers: 3, Events: 0}, ""},
		{"pop=x", nil, "not a whole number"},
		{"pop=-1", nil, "not a whole number"},
		{"lunch=2", nil, `unknown endpoint "lunch"`},
		{"pop=0", nil, "no endpoint with a weight"},
		{"", nil, "no endpoint with a weight"},
	}
	for _, tt := range tests {
		got, err := ParseMix(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMix(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("ParseMix(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseMix(%q)[%s] = %d, want %d", tt.in, k, got[k], v)
			}
		}
	}
}

func TestReadNumbers(t *testing.T) {
	got, err := ReadNumbers(strings.NewReader("# numbers\n+1 512 555 0100\n\n  0612345678 \n"))
	if err != nil || len(got) != 2 || got[0] != "+1 512 555 0100" || got[1] != "0612345678" {
		t.Errorf("ReadNumbers = %q, %v", got, err)
	}
	if _, err := ReadNumbers(strings.NewReader("# none\n")); err == nil {
		t.Error("ReadNumbers of no number: no error")
	}
}

func TestReport(t *testing.T) {
	s := &Stats{Endpoint: Callers, Requests: 100, Errors: map[string]int{"status 500": 2}}
	for i := range 100 {
		s.Latencies = append(s.Latencies, time.Duration(i+1)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 51 * time.Millisecond}, {99, 100 * time.Millisecond}, {100, 100 * time.Millisecond}} {
		if got := s.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if (&Stats{}).Percentile(50) != 0 {
		t.Error("Percentile of no request is not 0")
	}
	var buf bytes.Buffer
	(&Report{Elapsed: 2 * time.Second, Endpoints: []*Stats{s}}).Write(&buf)
	for _, want := range []string{"callers", "50", "51.00ms", "100.00ms", "error callers: 2x status 500"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}
