package phone_test

//go:generate go run ./internal/gencorpus -o testdata/corpus.tsv

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// corpusPerson is a p line of testdata/corpus.tsv.
type corpusPerson struct {
	id             int
	region, format string
	number         phone.Number
}

// corpusProbe is a q line of testdata/corpus.tsv.
type corpusProbe struct {
	kind, region, value string
	want                []int
}

// tally counts probes and what they found.
type tally struct {
	probes, wanted, found, falses, completeFalses int
}

func (t *tally) add(o tally) {
	t.probes += o.probes
	t.wanted += o.wanted
	t.found += o.found
	t.falses += o.falses
	t.completeFalses += o.completeFalses
}

func (t tally) recall() float64 { return 100 * float64(t.found) / float64(max(t.wanted, 1)) }

func (t tally) String() string {
	return fmt.Sprintf("%5d probes  recall %7.3f%%  false %4d  complete false %d", t.probes, t.recall(), t.falses, t.completeFalses)
}

// TestCorpus measures matching on the corpus of issue 21 (see
// internal/gencorpus): recall and false matches per region of the number and
// per kind of probe, in directories of default regions US, FR, DE and GB.
// It asserts a recall of at least 99% in every region and no false match
// where both numbers are complete (valid E.164 forms), and logs the table
// (go test -run TestCorpus -v ./internal/phone).
func TestCorpus(t *testing.T) {
	persons, probes := readCorpus(t)
	byRegion, byKind, byDir := map[string]*tally{}, map[string]*tally{}, map[string]*tally{}
	get := func(m map[string]*tally, k string) *tally {
		if m[k] == nil {
			m[k] = &tally{}
		}
		return m[k]
	}
	for _, dir := range slices.Sorted(maps.Keys(persons)) {
		n := phone.MustNew(phone.Options{DefaultRegion: dir})
		ps := persons[dir]
		for i := range ps {
			ps[i].number = n.Parse(ps[i].number.Raw)
		}
		index := corpusIndex(n, ps)
		for _, pr := range probes[dir] {
			c := n.FromQuery(pr.value)
			var r tally
			r.probes, r.wanted = 1, len(pr.want)
			for _, p := range index.find(n, c) {
				if slices.Contains(pr.want, p.id) {
					r.found++
					continue
				}
				r.falses++
				if c.E164 != "" && p.number.E164 != "" {
					r.completeFalses++
					t.Errorf("%s: %s probe %q (%+v) finds person %d, %s %q (%+v), another line",
						dir, pr.kind, pr.value, c, p.id, p.format, p.number.Raw, p.number)
				}
			}
			if r.found < r.wanted && testing.Verbose() {
				t.Logf("miss: %s: %s probe %q of %s (%+v) finds %d of %v", dir, pr.kind, pr.value, pr.region, c, r.found, pr.want)
			}
			get(byRegion, pr.region).add(r)
			get(byKind, pr.kind).add(r)
			get(byDir, dir).add(r)
		}
	}
	var total tally
	for _, k := range slices.Sorted(maps.Keys(byRegion)) {
		r := byRegion[k]
		total.add(*r)
		t.Logf("region %-3s %v", k, r)
		if r.recall() < 99 {
			t.Errorf("region %s: recall %.3f%%, want at least 99%%", k, r.recall())
		}
	}
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		t.Logf("probe %-13s %v", k, byKind[k])
	}
	for _, k := range slices.Sorted(maps.Keys(byDir)) {
		t.Logf("directory %s %v", k, byDir[k])
	}
	t.Logf("all        %v", total)
	if len(byRegion) < 25 || total.probes < 20000 {
		t.Errorf("%d regions, %d probes: the corpus is too small", len(byRegion), total.probes)
	}
}

func readCorpus(t *testing.T) (map[string][]corpusPerson, map[string][]corpusProbe) {
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	persons, probes := map[string][]corpusPerson{}, map[string][]corpusProbe{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 6 {
			t.Fatalf("corpus line %q: want 6 fields", line)
		}
		switch fs[0] {
		case "p":
			id, _ := strconv.Atoi(fs[2])
			persons[fs[1]] = append(persons[fs[1]], corpusPerson{id: id, region: fs[3], format: fs[4], number: phone.Number{Raw: fs[5]}})
		case "q":
			var want []int
			for _, s := range strings.Split(fs[5], ",") {
				id, _ := strconv.Atoi(s)
				want = append(want, id)
			}
			probes[fs[1]] = append(probes[fs[1]], corpusProbe{kind: fs[2], region: fs[3], value: fs[4], want: want})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return persons, probes
}

// corpusDirectory finds persons as the store does, without a database: by
// the last MinMatchDigits digits, then Match; internal extensions exactly.
type corpusDirectory struct {
	byTail map[string][]*corpusPerson
}

func corpusIndex(n *phone.Normalizer, ps []corpusPerson) *corpusDirectory {
	d := &corpusDirectory{byTail: map[string][]*corpusPerson{}}
	min := n.Options().MinMatchDigits
	for i := range ps {
		digits := ps[i].number.Digits
		tail := digits[max(0, len(digits)-min):]
		d.byTail[tail] = append(d.byTail[tail], &ps[i])
	}
	return d
}

func (d *corpusDirectory) find(n *phone.Normalizer, c phone.Number) []*corpusPerson {
	var out []*corpusPerson
	if n.Internal(c) {
		for _, p := range d.byTail[c.Digits] {
			if _, ok := n.Match(c, p.number); ok {
				out = append(out, p)
			}
		}
		return out
	}
	if n.TooShort(c) {
		return nil
	}
	min := n.Options().MinMatchDigits
	for _, p := range d.byTail[c.Digits[len(c.Digits)-min:]] {
		if _, ok := n.Match(c, p.number); ok {
			out = append(out, p)
		}
	}
	return out
}
