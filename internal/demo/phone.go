package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// A phone pool hands out numbers of one area, one after the other, starting
// in the range set aside for fiction where there is one: US 555-0100 to
// 555-0199, UK Ofcom drama numbers (020 7946 0xxx, 0113 496 0xxx, 07700
// 900xxx), French ARCEP fiction blocks (01 99 00 xx xx, 04 65 71 xx xx...),
// German Bundesnetzagentur film numbers (030 23125xxx...). Large runs go on
// past those ranges, still without ever giving the same number twice: pools
// are disjoint, and each counts up. They are also chosen so that no number's
// digits end with another's national number (FR 06 99 00 00 00 would match
// DE +49 176 99000000 by suffix), so that every lookup finds its one owner.
type phonePool struct {
	country int
	area    int   // national area code, without the trunk 0: 212, 1 (Paris), 20 (London), 30 (Berlin)
	base    int64 // first subscriber number
	digits  int   // subscriber number length
	us      bool  // NANP: 555-01xx first, then the rest of 555, then 556...
}

// Pool indexes, referred to by cities.
const (
	poolUS212 = iota
	poolUS206
	poolUS312
	poolUS617
	poolUS415
	poolUS512
	poolFR1
	poolFR2
	poolFR3
	poolFR4
	poolFR5
	poolFRMobile
	poolUK20
	poolUK113
	poolUK161
	poolUK121
	poolUKMobile
	poolDE30
	poolDE40
	poolDE89
	poolDE69
	poolDE221
	poolDEMobile
	poolCount
)

// phonePools returns the pools by index. A function, not a variable: the
// generator owns the counters.
func phonePools() []phonePool {
	us := func(area int) phonePool { return phonePool{country: countryUS, area: area, digits: 7, us: true} }
	return []phonePool{
		poolUS212: us(212), poolUS206: us(206), poolUS312: us(312), poolUS617: us(617), poolUS415: us(415), poolUS512: us(512),
		poolFR1:      {country: countryFR, area: 1, base: 99000000, digits: 8},
		poolFR2:      {country: countryFR, area: 2, base: 61910000, digits: 8},
		poolFR3:      {country: countryFR, area: 3, base: 53010000, digits: 8},
		poolFR4:      {country: countryFR, area: 4, base: 65710000, digits: 8},
		poolFR5:      {country: countryFR, area: 5, base: 36490000, digits: 8},
		poolFRMobile: {country: countryFR, area: 6, base: 99000000, digits: 8},
		poolUK20:     {country: countryUK, area: 20, base: 79460000, digits: 8},
		poolUK113:    {country: countryUK, area: 113, base: 4960000, digits: 7},
		poolUK161:    {country: countryUK, area: 161, base: 4960000, digits: 7},
		poolUK121:    {country: countryUK, area: 121, base: 4960000, digits: 7},
		poolUKMobile: {country: countryUK, area: 7700, base: 900000, digits: 6},
		poolDE30:     {country: countryDE, area: 30, base: 23125000, digits: 8},
		poolDE40:     {country: countryDE, area: 40, base: 66969000, digits: 8},
		poolDE89:     {country: countryDE, area: 89, base: 99998000, digits: 8},
		poolDE69:     {country: countryDE, area: 69, base: 90009000, digits: 8},
		poolDE221:    {country: countryDE, area: 221, base: 4710000, digits: 7},
		poolDEMobile: {country: countryDE, area: 176, base: 40000000, digits: 8},
	}
}

// mobilePool is the pool of mobile numbers of a country; in the US mobile
// numbers look like any other, so they come from the location's area.
var mobilePool = [countryCount]int{countryUS: -1, countryFR: poolFRMobile, countryUK: poolUKMobile, countryDE: poolDEMobile}

// number is a phone number before formatting.
type number struct {
	country int
	area    string // national area code without trunk prefix
	sub     string // subscriber number
}

// take returns the k-th number of pool p (k counts from 0).
func (p phonePool) take(k int64) number {
	if p.us {
		exch, line := int64(555), int64(0)
		switch {
		case k < 100:
			line = 100 + k
		case k < 10000:
			line = k - 100 // 0000-0099, then 0200-9999
			if line >= 100 {
				line += 100
			}
		default:
			exch, line = 556+(k-10000)/10000, (k-10000)%10000
		}
		return number{country: p.country, area: strconv.Itoa(p.area), sub: strconv.FormatInt(exch*10000+line, 10)}
	}
	limit := int64(1)
	for range p.digits {
		limit *= 10
	}
	n := p.base + k
	area := int64(p.area) + n/limit // past the last subscriber number, the next area: still unique
	return number{country: p.country, area: strconv.FormatInt(area, 10), sub: pad(n%limit, p.digits)}
}

func pad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// formats lists, per country, the ways people write numbers in a directory.
// The first layout of a country is its canonical one (the switchboard's), the
// third the alternative its sharers sometimes use. In a layout, {a} is the
// area code, {s} the subscriber number, {x} an extension; {e} and {l} split a
// US subscriber number into exchange and line, {p1}..{p4} a French one into
// pairs, {g1} and {g2} a British one into groups.
var formats = [countryCount][]string{
	countryUS: {
		"+1 ({a}) {e}-{l}",       // +1 (212) 555-0100
		"{a}.{e}.{l}",            // 212.555.0100
		"{a}-{e}-{l}",            // 212-555-0142
		"({a}) {e} {l}",          // (212) 555 0143
		"+1{a}{s}",               // +12125550144
		"+1 {a} {e} {l} x{x}",    // +1 212 555 0100 x123
		"+1-{a}-{e}-{l};ext={x}", // +1-212-555-0100;ext=12
		"1-{a}-{e}-{l}",          // 1-212-555-0100
		"{a} {e} {l}",            // 212 555 0100
	},
	countryFR: {
		"0{a} {p1} {p2} {p3} {p4}",          // 01 23 45 67 89
		"0033 {a} {p1} {p2} {p3} {p4}",      // 0033 1 23 45 67 89
		"+33 (0){a} {p1} {p2} {p3} {p4}",    // +33 (0)1 23 45 67 89
		"+33 {a} {p1} {p2} {p3} {p4}",       // +33 6 12 34 56 78
		"0{a}.{p1}.{p2}.{p3}.{p4}",          // 01.23.45.67.89
		"0{a}{s}",                           // 0123456789
		"+33{a}{s}",                         // +33123456789
		"0{a} {p1} {p2} {p3} {p4} ext. {x}", // 01 23 45 67 89 ext. 45
		"0{a}-{p1}-{p2}-{p3}-{p4}",          // 01-23-45-67-89
	},
	countryUK: {
		"+44 {a} {g1} {g2}",      // +44 20 7946 0958
		"0{a} {g1} {g2}",         // 020 7946 0958
		"+44 (0){a} {g1} {g2}",   // +44 (0)20 7946 0958
		"(0{a}) {g1} {g2}",       // (020) 7946 0958
		"+44{a}{s}",              // +442079460958
		"0{a} {g1} {g2} ext {x}", // 020 7946 0958 ext 2041
		"0044 {a} {g1} {g2}",     // 0044 20 7946 0958
	},
	countryDE: {
		"+49 {a} {s}",         // +49 30 1234567
		"0{a} {s}",            // 030 1234567
		"0{a}/{s}",            // 030/1234567
		"+49 (0){a} {s}",      // +49 (0)30 1234567
		"0049 {a} {s}",        // 0049 30 1234567
		"(0{a}) {s}",          // (030) 1234567
		"+49{a}{s}",           // +49301234567
		"+49 {a} {s};ext={x}", // +49 30 1234567;ext=12
	},
}

// hasExt reports whether a layout writes an extension.
func hasExt(layout string) bool { return strings.Contains(layout, "{x}") }

// frPair returns the k-th pair of digits of a French subscriber number.
func frPair(sub string, k int) string {
	return sub[min(2*k, len(sub)):min(2*k+2, len(sub))]
}

// ukGroup returns the first or second group of a British subscriber number:
// 4+4 digits (London), 3+4 (other areas), all in one (mobiles).
func ukGroup(sub string, k int) string {
	cut := len(sub)
	switch len(sub) {
	case 8:
		cut = 4
	case 7:
		cut = 3
	}
	if k == 0 {
		return sub[:cut]
	}
	return sub[cut:]
}

// format writes n in layout f of its country, with a random extension for
// the layouts that have one.
func format(r *rand.Rand, n number, f int) string {
	layout := formats[n.country][f]
	var b strings.Builder
	for {
		i := strings.IndexByte(layout, '{')
		if i < 0 {
			b.WriteString(layout)
			return b.String()
		}
		j := strings.IndexByte(layout, '}')
		b.WriteString(layout[:i])
		switch key := layout[i+1 : j]; key {
		case "a":
			b.WriteString(n.area)
		case "s":
			b.WriteString(n.sub)
		case "e":
			b.WriteString(n.sub[:3])
		case "l":
			b.WriteString(n.sub[3:])
		case "p1", "p2", "p3", "p4":
			b.WriteString(frPair(n.sub, int(key[1]-'1')))
		case "g1", "g2":
			b.WriteString(ukGroup(n.sub, int(key[1]-'1')))
		case "x":
			if n.country == countryUK {
				b.WriteString(strconv.Itoa(1000 + r.IntN(9000)))
			} else {
				b.WriteString(strconv.Itoa(10 + r.IntN(990))) // 2 or 3 digits
			}
		}
		layout = layout[j+1:]
	}
}

// plainFormat picks a format without extension.
func plainFormat(r *rand.Rand, country int) int {
	for {
		f := r.IntN(len(formats[country]))
		if !hasExt(formats[country][f]) {
			return f
		}
	}
}

// dialled returns the number as a phone system would send it: digits and a
// leading +, no extension, no "(0)".
func dialled(s string) string {
	s = strings.ReplaceAll(s, "(0)", "")
	for _, sep := range []string{";ext=", " ext. ", " ext ", " x"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	var b strings.Builder
	for i, c := range s {
		if c == '+' && i == 0 || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	return out
}
