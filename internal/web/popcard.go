package web

import (
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// callerCard is what the pop shows of one caller: who he is, how to reach
// him, and why the lookup found him, so that the agent can tell a strong
// match (the same number) from a weak one (a shared ending).
type callerCard struct {
	Person *desk.Person
	// Numbers are the person's numbers, each a click-to-call link.
	Numbers []cardNumber
	// Why says how the lookup matched him, in the user's language: "mobile,
	// same number", "phone, last 9 digits"; "" when it cannot say.
	Why string
	// NumberMatched tells that Why is about one of Numbers (else it is
	// shown apart: an employee number, a request).
	NumberMatched bool
}

// cardNumber is one number of a caller card.
type cardNumber struct {
	Attribute, Number string
	// Matched marks the number the call matched.
	Matched bool
}

// callerCardOf returns the card of a caller found by the lookup, its reason
// written in lang.
func (s *Server) callerCardOf(lang string, c *cti.Caller) *callerCard {
	if c.Match == nil || c.Match.Person == nil {
		return nil
	}
	m := c.Match
	p := m.Person
	card := &callerCard{Person: p}
	for _, n := range []cardNumber{{desk.AttrPhone, p.Phone, false}, {desk.AttrMobilePhone, p.MobilePhone, false},
		{desk.AttrHomePhone, p.HomePhone, false}} {
		if n.Number == "" {
			continue
		}
		n.Matched = n.Attribute == m.Attribute
		card.NumberMatched = card.NumberMatched || n.Matched
		card.Numbers = append(card.Numbers, n)
	}
	card.Why = s.matchReason(lang, m)
	return card
}

// matchReason says how a match was made, from the lookup's own ranking: the
// same number (E.164 equal), or the trailing digits the numbers share, or
// the attribute that was equal.
func (s *Server) matchReason(lang string, m *desk.CallerMatch) string {
	switch m.Attribute {
	case desk.AttrPhone, desk.AttrMobilePhone, desk.AttrHomePhone:
		kind := s.i18n.t(lang, "pop.number."+m.Attribute)
		if m.E164Equal {
			return s.i18n.t(lang, "pop.match.same_number", kind)
		}
		if m.SuffixLen > 0 {
			return s.i18n.t(lang, "pop.match.suffix", kind, m.SuffixLen)
		}
		return kind
	case desk.AttrEmployeeNumber, desk.AttrSupportID, desk.AttrEmail:
		return s.i18n.t(lang, "pop.match."+m.Attribute)
	case cti.ParamRequest:
		return s.i18n.t(lang, "pop.match.request", m.Stored)
	}
	return ""
}

// popTabTitle is the pop's tab title: who calls and from which number, so
// that the agent finds the tab of the call among his others.
func (s *Server) popTabTitle(lang string, res *cti.PopResult) string {
	var who string
	switch len(res.Callers) {
	case 0:
		who = s.i18n.t(lang, "pop.unknown_contact")
	case 1:
		if c := res.Callers[0]; c.Match != nil && c.Match.Person != nil {
			who = c.Match.Person.FriendlyName()
		} else {
			who = c.Display
		}
	default:
		who = s.i18n.t(lang, "pop.shared", len(res.Callers))
	}
	if res.Number == "" {
		return who
	}
	return who + " — " + res.Number
}
