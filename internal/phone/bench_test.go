package phone_test

import (
	"strconv"
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// benchInputs mix the forms a pop and a reindex meet: valid and invalid,
// national and international, URIs and extensions.
var benchInputs = []string{
	"+1 (212) 555-0100",
	"123-456-7890",
	"0011234567890",
	"01 23 45 67 89",
	"+33 (0)1 23 45 67 89",
	"tel:+1-123-456-7890;ext=12",
	"4567890",
	"020 7946 0958 x12",
}

// BenchmarkParse parses values never seen (an extension of its own each:
// the Normalizer remembers what it read): the cost of a reading.
func BenchmarkParse(b *testing.B) {
	n := phone.MustNew(phone.Options{DefaultRegion: "US"})
	inputs := distinct(benchInputs, 100000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n.Parse(inputs[i%len(inputs)])
	}
}

// BenchmarkParseRemembered parses the same few values again and again.
func BenchmarkParseRemembered(b *testing.B) {
	n := phone.MustNew(phone.Options{DefaultRegion: "US"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n.Parse(benchInputs[i%len(benchInputs)])
	}
}

func BenchmarkFromQuery(b *testing.B) {
	n := phone.MustNew(phone.Options{DefaultRegion: "US"})
	inputs := distinct([]string{" 33123456789", "1%20123%20456%207890", "%2B12125550100", "4567890"}, 100000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n.FromQuery(inputs[i%len(inputs)])
	}
}

// distinct returns n values, the values given in turn, each with an
// extension of its own.
func distinct(values []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = values[i%len(values)] + " x" + strconv.Itoa(i)
	}
	return out
}

func BenchmarkMatch(b *testing.B) {
	n := phone.MustNew(phone.Options{DefaultRegion: "US"})
	caller, stored := n.Parse("+11234567890"), n.Parse("123-456-7890")
	b.ReportAllocs()
	for b.Loop() {
		n.Match(caller, stored)
	}
}
