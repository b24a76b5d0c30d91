package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Each stage draws from its own PCG stream, so that changing the ticket count
// leaves the persons as they were, and the same options give the same data.
const seedHi = 0x63746964_65736b31 // "ctidesk1"

const (
	streamOrgs = iota + 1
	streamPersons
	streamTickets
	streamCalls
)

func newRand(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seedHi, stream)) }

// baseDate is the first day of the demo history, a Monday.
var baseDate = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// historyDays is how many working days the tickets spread over.
const historyDays = 44 * 5

// Sharing of a switchboard number is capped so that a pop on it stays readable.
const maxSharers = 6

// orgPlan is an organization to create, with what persons need from it.
type orgPlan struct {
	org     desk.Organization
	country int
	domain  string
	weight  int
	locs    []locPlan
	// switchboard is the organization's main number, shared by a few persons.
	switchboard, switchboardAlt string
	persons, sharers            int // generated so far
}

type locPlan struct {
	loc  desk.Location
	city city
}

// generator makes the demo data, one stage after the other.
type generator struct {
	opt    Options
	agents int // persons of the service desk
	orgs   []*orgPlan
	pools  []phonePool
	taken  []int64 // numbers taken per pool

	pr         *rand.Rand // persons stream
	next       int        // index of the next person
	cum        []int      // cumulative weights of the customers (orgs[1:])
	fmtCycle   [countryCount]int
	emailCount map[uint64]uint32
	// slugIDs numbers the distinct slugs of first and last names, so that
	// namesakes from different tables (Zoé, Zoë) share a counter.
	slugIDs map[string]uint64
}

// personMeta is what the ticket stage needs to know of a person.
type personMeta struct {
	org         int32 // index in orgs
	first, last uint16
	active      bool
}

// personRef is a person tickets can name as caller.
type personRef struct {
	id          int64
	first, last uint16
}

// agentRef is a person of the service desk.
type agentRef struct {
	id   int64
	name string
}

// validate fills defaults and checks the options.
func (opt *Options) validate() error {
	if opt.Persons == 0 {
		opt.Persons = DefaultPersons
	}
	if opt.Tickets == 0 {
		opt.Tickets = DefaultTickets
	}
	if opt.Organizations == 0 {
		opt.Organizations = DefaultOrganizations
	}
	if opt.CallLogDays == 0 {
		opt.CallLogDays = DefaultCallLogDays
	}
	opt.Organizations = max(opt.Organizations, MinOrganizations)
	if opt.Persons < 0 || opt.Tickets < 0 {
		return desk.NewError(desk.EINVALID, "error.demo_negative")
	}
	if opt.Organizations > 100_000 {
		return desk.NewError(desk.EINVALID, "error.demo_orgs_max")
	}
	if need := deskAgents(opt.Persons) + opt.Organizations - 1; opt.Persons < need {
		return desk.NewError(desk.EINVALID, "error.demo_persons_min", need, opt.Organizations)
	}
	return nil
}

// deskAgents is the head count of the service desk for a number of persons.
func deskAgents(persons int) int { return min(max(persons/40, len(deskStaff)), 25) }

func newGenerator(opt Options) *generator {
	g := &generator{
		opt:        opt,
		agents:     deskAgents(opt.Persons),
		pools:      phonePools(),
		pr:         newRand(streamPersons),
		emailCount: make(map[uint64]uint32),
		slugIDs:    make(map[string]uint64),
	}
	tables := [][]string{}
	for c := range countryCount {
		tables = append(tables, firstNames[c], lastNames[c])
	}
	for _, s := range deskStaff {
		tables = append(tables, []string{s.first, s.last})
	}
	for _, names := range tables {
		for _, n := range names {
			if _, ok := g.slugIDs[slug(n)]; !ok {
				g.slugIDs[slug(n)] = uint64(len(g.slugIDs))
			}
		}
	}
	g.taken = make([]int64, len(g.pools))
	g.planOrganizations()
	return g
}

// nextNumber takes the next number of a pool.
func (g *generator) nextNumber(pool int) number {
	k := g.taken[pool]
	g.taken[pool]++
	return g.pools[pool].take(k)
}

func cityByName(name string) city {
	for _, c := range cities {
		if c.name == name {
			return c
		}
	}
	panic("demo: unknown city " + name)
}

// planOrganizations decides the organizations and their locations: the
// service desk first, then the customers of the fixed list, then built names.
func (g *generator) planOrganizations() {
	r := newRand(streamOrgs)
	codes := map[string]bool{}
	add := func(t companyTemplate, status, supportID string) *orgPlan {
		code := t.code
		for i := 2; codes[code]; i++ {
			code = t.code + strconv.Itoa(i)
		}
		codes[code] = true
		o := &orgPlan{
			org:     desk.Organization{Name: t.name, Code: code, Status: status},
			country: cityByName(t.cities[0]).country,
			domain:  domainOf(t.name),
			weight:  t.weight,
		}
		if supportID != "" {
			o.org.SupportID = fmt.Sprintf("%s-%04d", code, 1000+r.IntN(9000))
		}
		for i, name := range t.cities {
			c := cityByName(name)
			label := name + " head office"
			if i > 0 {
				label = name + []string{" office", " branch", " warehouse"}[r.IntN(3)]
			}
			o.locs = append(o.locs, locPlan{loc: desk.Location{Name: label, Address: address(r, c)}, city: c})
		}
		hq := o.locs[0].city.pool
		sw := g.nextNumber(hq)
		o.switchboard = format(r, sw, 0)
		o.switchboardAlt = format(r, sw, 2)
		g.orgs = append(g.orgs, o)
		return o
	}
	add(deskOrg, desk.StatusActive, "")
	for j := range g.opt.Organizations - 1 {
		status := desk.StatusActive
		var t companyTemplate
		if j < len(companies) {
			t = companies[j]
			if inactiveCompanies[j] {
				status = desk.StatusInactive
			}
		} else {
			t = extraCompany(r, j-len(companies))
			if j%9 == 4 {
				status = desk.StatusInactive
			}
		}
		add(t, status, "support")
	}
	total := 0
	for _, o := range g.orgs[1:] {
		total += o.weight
		g.cum = append(g.cum, total)
	}
}

// extraCompany builds the n-th organization beyond the fixed list.
func extraCompany(r *rand.Rand, n int) companyTemplate {
	stem := extraStems[n%len(extraStems)]
	industry := extraIndustries[(n/len(extraStems))%len(extraIndustries)]
	round := n / (len(extraStems) * len(extraIndustries))
	country := n % countryCount
	name := stem + " " + industry
	if round > 0 {
		name += " " + strconv.Itoa(round+1)
	}
	name += " " + extraSuffixes[country]
	code := stem[:2] + industry[:1]
	cs := extraCities[country]
	first := r.IntN(len(cs))
	t := companyTemplate{name: name, code: strings.ToUpper(code), weight: 5 + r.IntN(40)}
	for i := range 1 + r.IntN(3) {
		c := cs[(first+i)%len(cs)]
		if !slices.Contains(t.cities, c) {
			t.cities = append(t.cities, c)
		}
	}
	return t
}

// address writes a postal address the way the city's country does.
func address(r *rand.Rand, c city) string {
	street := c.streets[r.IntN(len(c.streets))]
	postcode := c.postcodes[r.IntN(len(c.postcodes))]
	n := 1 + r.IntN(250)
	switch c.country {
	case countryUS:
		return fmt.Sprintf("%d %s, Suite %d, %s, %s %s", 10+r.IntN(990), street, 100*(1+r.IntN(30)), c.name, c.state, postcode)
	case countryFR:
		return fmt.Sprintf("%d %s, %s %s", n, street, postcode, c.name)
	case countryUK:
		return fmt.Sprintf("%d %s, %s %s", n, street, c.name, postcode)
	default:
		return fmt.Sprintf("%s %d, %s %s", street, n, postcode, c.name)
	}
}

// domainOf makes an email domain of an organization name, in the .example
// top-level domain reserved for documentation.
func domainOf(name string) string {
	words := strings.Fields(name)
	var kept []string
	for _, w := range words {
		switch strings.TrimSuffix(strings.ToLower(w), ".") {
		case "inc", "sa", "sas", "ltd", "plc", "gmbh", "ag", "kg", "&":
			continue
		}
		if s := slug(w); s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, "-") + ".example"
}

// fold maps the accented letters of the name tables to ASCII.
var fold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "ae", "å", "a", "ã", "a", "ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ı", "i", "ñ", "n", "ò", "o", "ó", "o", "ô", "o", "ö", "oe", "ø", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "ue", "ß", "ss", "ł", "l", "ś", "s", "ş", "s", "ğ", "g", "ễ", "e", "ả", "a",
	"Å", "a", "Ä", "ae", "É", "e", "È", "e", "Ö", "oe", "Ø", "o", "Ü", "ue", "Ó", "o", "Ł", "l", "Á", "a", "Ö", "oe",
)

// slug returns the lower-case ASCII letters, digits and hyphens of s.
func slug(s string) string {
	s = fold.Replace(strings.ToLower(s))
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		}
	}
	return strings.Trim(b.String(), "-")
}

// persons returns the next n persons, and what the ticket stage needs of
// them. Organizations and locations must have their IDs.
func (g *generator) persons(n int) ([]*desk.Person, []personMeta) {
	out := make([]*desk.Person, 0, n)
	meta := make([]personMeta, 0, n)
	customers := len(g.orgs) - 1
	for range n {
		i := g.next
		g.next++
		r := g.pr
		var oi int
		switch {
		case i < g.agents:
			oi = 0
		case i < g.agents+customers:
			oi = 1 + i - g.agents // every customer has at least one person
		default:
			x := r.IntN(g.cum[len(g.cum)-1])
			oi = 1 + sortSearch(g.cum, x)
		}
		o := g.orgs[oi]
		country := o.country
		if r.IntN(100) < 15 {
			country = r.IntN(countryCount)
		}
		fi, li := r.IntN(len(firstNames[country])), r.IntN(len(lastNames[country]))
		first, last := firstNames[country][fi], lastNames[country][li]
		function := functions[r.IntN(len(functions))]
		if oi == 0 {
			function = deskFunctions[r.IntN(len(deskFunctions))]
			if i < len(deskStaff) {
				first, last, function = deskStaff[i].first, deskStaff[i].last, deskStaff[i].function
			}
		}
		loc := o.locs[0]
		if len(o.locs) > 1 && r.IntN(100) >= 60 {
			loc = o.locs[1+r.IntN(len(o.locs)-1)]
		}
		status := desk.StatusActive
		if oi != 0 && (o.org.Status == desk.StatusInactive && r.IntN(100) < 40 || r.IntN(100) < 3) {
			status = desk.StatusInactive
		}
		p := &desk.Person{
			FirstName:      first,
			Name:           last,
			OrgID:          o.org.ID,
			LocationID:     loc.loc.ID,
			EmployeeNumber: "E" + strconv.Itoa(10000+i),
			SupportID:      o.org.SupportID,
			Function:       function,
			Status:         status,
		}
		if r.IntN(100) >= 3 || oi == 0 {
			p.Email = g.email(oi, first, last, o.domain)
		}
		g.phones(r, p, o, loc.city)
		o.persons++
		out = append(out, p)
		meta = append(meta, personMeta{org: int32(oi), first: uint16(country<<8 | fi), last: uint16(country<<8 | li),
			active: status == desk.StatusActive})
	}
	return out, meta
}

func sortSearch(cum []int, x int) int {
	i, _ := slices.BinarySearch(cum, x+1)
	return i
}

// email returns first.last@domain, with a number from the second namesake on.
func (g *generator) email(oi int, first, last, domain string) string {
	fs, ls := slug(first), slug(last)
	key := uint64(oi)<<32 | g.slugIDs[fs]<<16 | g.slugIDs[ls]
	n := g.emailCount[key]
	g.emailCount[key] = n + 1
	local := fs + "." + ls
	if n > 0 {
		local += strconv.Itoa(int(n) + 1)
	}
	return local + "@" + domain
}

// phones gives a person the numbers of a directory: mostly a direct line,
// for a few the organization's switchboard, some mobiles and home numbers,
// and no number at all for some.
func (g *generator) phones(r *rand.Rand, p *desk.Person, o *orgPlan, c city) {
	nth := o.persons // this person's rank in its organization
	switch {
	case nth == 1:
		p.Phone = o.switchboard
		o.sharers++
	case nth == 3:
		p.Phone = o.switchboardAlt
		o.sharers++
	case r.IntN(100) < 7:
		// no direct line
	case o.sharers < maxSharers && r.IntN(100) < 3:
		p.Phone = o.switchboard
		o.sharers++
	default:
		cc := g.pools[c.pool].country
		var f int
		if g.fmtCycle[cc] < len(formats[cc]) {
			f = g.fmtCycle[cc] // the first numbers of a country show every format
			g.fmtCycle[cc]++
		} else if r.IntN(100) < 8 {
			exts := []int{}
			for i, layout := range formats[cc] {
				if hasExt(layout) {
					exts = append(exts, i)
				}
			}
			f = exts[r.IntN(len(exts))]
		} else {
			f = plainFormat(r, cc)
		}
		p.Phone = format(r, g.nextNumber(c.pool), f)
	}
	if p.Phone == "" && r.IntN(100) < 30 || r.IntN(100) < 40 {
		pool := mobilePool[g.pools[c.pool].country]
		if pool < 0 {
			pool = c.pool
		}
		n := g.nextNumber(pool)
		p.MobilePhone = format(r, n, plainFormat(r, n.country))
	}
	if r.IntN(100) < 10 {
		n := g.nextNumber(c.pool)
		p.HomePhone = format(r, n, plainFormat(r, n.country))
	}
}

// ticketPlan holds what the ticket stage needs: callers per organization and
// the agents.
type ticketPlan struct {
	g       *generator
	r       *rand.Rand
	callers [][]personRef // by org index; active persons only
	agents  []agentRef
	active  []int // customer orgs that are active and have callers
	all     []int // customer orgs that have callers
	// the share of tickets of each active customer (ticketShares), the
	// head counts of all
	activeWeights, allWeights []int
	next                      int
	calls                     int // phone calls planned so far
}

// ticketKindWeights gives UserRequest most, then Incident, Problem, Change.
var ticketKindWeights = []int{55, 28, 9, 8}

// callPlan is a phone call to create once its ticket has an ID.
type callPlan struct {
	ticket *desk.Ticket
	call   desk.PhoneCall
}

// tickets returns the next n tickets and the phone calls tied to them.
func (tp *ticketPlan) tickets(n int) ([]*desk.Ticket, []callPlan) {
	total := tp.g.opt.Tickets
	var out []*desk.Ticket
	var calls []callPlan
	for range n {
		i := tp.next
		tp.next++
		r := tp.r
		f := float64(i) / float64(total)
		kind := desk.TicketKinds[weighted(r, ticketKindWeights)]
		status := ageStatus(r, f)
		// Some tickets at regular places cover every kind and status.
		combos := len(desk.TicketKinds) * len(desk.TicketStatuses)
		forced := total >= combos && i%(total/combos) == 0 && i/(total/combos) < combos
		if forced {
			c := i / (total / combos)
			kind, status = desk.TicketKinds[c/len(desk.TicketStatuses)], desk.TicketStatuses[c%len(desk.TicketStatuses)]
		}
		// Former customers have a few old tickets. A few large customers
		// call most (ticketShares); some tickets pick uniformly.
		orgs, weights := tp.all, tp.allWeights
		if forced || r.IntN(100) < 97 {
			orgs, weights = tp.active, tp.activeWeights
		}
		oi := orgs[r.IntN(len(orgs))]
		if r.IntN(100) < 95 {
			oi = orgs[weighted(r, weights)]
		}
		if tp.g.orgs[oi].org.Status == desk.StatusInactive {
			status = desk.TicketClosed
		}
		callers := tp.callers[oi]
		caller := callers[r.IntN(len(callers))]
		callerName := refName(caller)
		tpl := ticketTemplates[kind][r.IntN(len(ticketTemplates[kind]))]
		title, description := fill(r, tpl.title, tpl.description)
		t := &desk.Ticket{
			Kind:        kind,
			Title:       title,
			Description: description,
			OrgID:       tp.g.orgs[oi].org.ID,
			CallerID:    caller.id,
			Status:      status,
			Origin:      origin(r, kind, tpl),
		}
		var agent agentRef
		if status != desk.TicketNew {
			agent = tp.agents[r.IntN(len(tp.agents))]
			t.AgentID = agent.id
		}
		if desk.HasLevels(kind) {
			t.Urgency = 1 + weighted(r, []int{10, 25, 45, 20})
			t.Impact = 1 + weighted(r, []int{10, 30, 40, 20})
			t.Priority = (t.Urgency + t.Impact) / 2
		}
		work := tp.dates(r, t, f)
		tp.logs(r, t, work, agent, callerName)
		out = append(out, t)
		if t.Origin == "phone" && tp.calls < maxCalls(total) && r.IntN(100) < 8 {
			calls = append(calls, tp.phoneCalls(r, t, agent)...)
		}
	}
	return out, calls
}

// ticketShares returns the share of tickets of each customer from their
// head counts: Zipf's law by rank of head count (the k-th largest calls
// about 1/k^1.2 as much as the largest), as real service desks see it, a
// few very large customers and a long tail. Of 24 organizations, the
// largest has about a third of the tickets, the smallest about 1 %.
func ticketShares(headCounts []int) []int {
	rank := make([]int, len(headCounts))
	for i := range rank {
		rank[i] = i
	}
	slices.SortStableFunc(rank, func(a, b int) int { return headCounts[b] - headCounts[a] })
	shares := make([]int, len(headCounts))
	for k, i := range rank {
		shares[i] = max(1, int(1e6/math.Pow(float64(k+1), 1.2)))
	}
	return shares
}

// maxCalls bounds the phone calls: each is its own transaction.
func maxCalls(tickets int) int { return min(max(tickets/25, 10), 400) }

func refName(p personRef) string {
	return firstNames[p.first>>8][p.first&0xff] + " " + lastNames[p.last>>8][p.last&0xff]
}

// weighted returns an index with probability proportional to its weight.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// ageStatus picks a status: old tickets are mostly closed, recent ones open.
func ageStatus(r *rand.Rand, f float64) string {
	// new, assigned, pending, resolved, closed
	var w []int
	switch {
	case f < 0.6:
		w = []int{3, 5, 4, 10, 78}
	case f < 0.9:
		w = []int{8, 17, 15, 25, 35}
	default:
		w = []int{30, 35, 15, 15, 5}
	}
	return desk.TicketStatuses[weighted(r, w)]
}

func origin(r *rand.Rand, kind string, tpl ticketTemplate) string {
	if tpl.monitoring {
		return "monitoring"
	}
	if kind == desk.KindProblem || kind == desk.KindChange {
		return []string{"portal", "mail"}[r.IntN(2)]
	}
	return []string{"phone", "mail", "portal"}[weighted(r, []int{45, 30, 25})]
}

// fill replaces the {placeholders} of a ticket's title and description, the
// same word for every occurrence of a placeholder.
func fill(r *rand.Rand, title, description string) (string, string) {
	for {
		i := strings.IndexByte(title+description, '{')
		if i < 0 {
			return capitalize(title), capitalize(description)
		}
		s := (title + description)[i:]
		key := s[1:strings.IndexByte(s, '}')]
		words := ticketWords[key]
		word := words[r.IntN(len(words))]
		title = strings.ReplaceAll(title, "{"+key+"}", word)
		description = strings.ReplaceAll(description, "{"+key+"}", word)
	}
}

// capitalize upper-cases the first letter, for texts that begin with a
// placeholder ("the CRM is slow").
func capitalize(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(c)) + s[n:]
}

// Working hours: tickets are opened, worked on and closed from 08:00 to
// 18:00 UTC, Monday to Friday.
const (
	dayStart = 8 * time.Hour
	dayEnd   = 18 * time.Hour
)

// workingTime returns working day d of the history (0 is the base date, a
// Monday) at minutes after 09:00.
func workingTime(d int, minutes int) time.Time {
	week, day := d/5, d%5
	return baseDate.AddDate(0, 0, week*7+day).Add(time.Duration(minutes) * time.Minute)
}

// addWork returns t plus a duration of working time.
func addWork(t time.Time, d time.Duration) time.Time {
	for {
		midnight := t.Truncate(24 * time.Hour)
		if left := midnight.Add(dayEnd).Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		next := midnight.AddDate(0, 0, 1)
		for next.Weekday() == time.Saturday || next.Weekday() == time.Sunday {
			next = next.AddDate(0, 0, 1)
		}
		t = next.Add(dayStart)
	}
}

// dates sets start, last update and close dates from the ticket's place in
// the history (f from 0, oldest, to 1) and its status, and returns the
// working time from start to last update.
func (tp *ticketPlan) dates(r *rand.Rand, t *desk.Ticket, f float64) time.Duration {
	t.StartDate = workingTime(int(f*historyDays), r.IntN(540)-60) // 08:00 to 17:00
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+r.IntN(hi-lo+1)) * time.Minute }
	var work time.Duration
	switch t.Status {
	case desk.TicketNew:
		work = minutes(1, 30)
	case desk.TicketAssigned:
		work = minutes(6, 480)
	case desk.TicketPending:
		work = minutes(60, 2400) // up to five working days
	case desk.TicketResolved:
		work = minutes(30, 3000)
	case desk.TicketClosed:
		work = minutes(30, 6000)
	}
	t.LastUpdate = addWork(t.StartDate, work)
	if t.Status == desk.TicketClosed {
		end := t.LastUpdate
		t.CloseDate = &end
	}
	return work
}

// logs writes 1 to 4 public and private entries between start and last
// update, spread over the working time between them.
func (tp *ticketPlan) logs(r *rand.Rand, t *desk.Ticket, work time.Duration, agent agentRef, caller string) {
	var n int
	switch t.Status {
	case desk.TicketNew:
		n = 1
	case desk.TicketAssigned:
		n = 1 + r.IntN(2)
	case desk.TicketPending:
		n = 2 + r.IntN(2)
	default:
		n = 2 + r.IntN(3)
	}
	agentTexts := agentPublicTexts
	if t.Origin != "phone" {
		agentTexts = agentTexts[1:] // the first thanks the caller for the call
	}
	for k := range n {
		at := addWork(t.StartDate, (work * time.Duration(k+1) / time.Duration(n)).Truncate(time.Minute))
		e := desk.LogEntry{Date: at}
		switch {
		case agent.id == 0: // not yet assigned: only the caller wrote
			e.Author, e.Text = caller, callerPublicTexts[r.IntN(len(callerPublicTexts))]
			t.PublicLog = append(t.PublicLog, e)
		case k == n-1 && t.Status == desk.TicketClosed:
			e.Author, e.Text = agent.name, closeTexts[r.IntN(len(closeTexts))]
			t.PublicLog = append(t.PublicLog, e)
		default:
			switch weighted(r, []int{40, 35, 25}) {
			case 0:
				e.Author, e.Text = agent.name, agentTexts[r.IntN(len(agentTexts))]
				t.PublicLog = append(t.PublicLog, e)
			case 1:
				e.Author, e.Text = agent.name, agentPrivateTexts[r.IntN(len(agentPrivateTexts))]
				t.PrivateLog = append(t.PrivateLog, e)
			default:
				e.Author, e.Text = caller, callerPublicTexts[r.IntN(len(callerPublicTexts))]
				t.PublicLog = append(t.PublicLog, e)
			}
		}
	}
}

// phoneCalls plans the inbound call that opened a phone ticket and, for some,
// the agent's call back. Numbers are filled in from the caller at creation.
func (tp *ticketPlan) phoneCalls(r *rand.Rand, t *desk.Ticket, agent agentRef) []callPlan {
	if agent.id == 0 {
		agent = tp.agents[r.IntN(len(tp.agents))]
	}
	in := callPlan{ticket: t, call: desk.PhoneCall{
		ContactID: t.CallerID, AgentID: agent.id, Flow: desk.FlowInbound,
		Date:     t.StartDate.Add(-time.Duration(1+r.IntN(10)) * time.Minute),
		Duration: 30 + r.IntN(600), Note: callNotes[r.IntN(3)],
	}}
	tp.calls++
	out := []callPlan{in}
	if t.Status != desk.TicketNew && r.IntN(100) < 40 {
		back := addWork(t.StartDate, (t.LastUpdate.Sub(t.StartDate) / 2).Truncate(time.Minute))
		out = append(out, callPlan{ticket: t, call: desk.PhoneCall{
			ContactID: t.CallerID, AgentID: agent.id, Flow: desk.FlowOutbound, Date: back,
			Duration: r.IntN(300), Note: callNotes[1+r.IntN(len(callNotes)-1)],
		}})
		tp.calls++
	}
	return out
}
