package web

import (
	"context"

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

// matchReason says how a match was made, from the lookup's own rule
// (CallerMatch.Rule, the words of ctidesk lookup --explain and the API's
// why): the attribute, then the rule ("mobile, the same number"), or the
// attribute that was equal.
func (s *Server) matchReason(lang string, m *desk.CallerMatch) string {
	t := func(key string, args ...any) string { return s.i18n.t(lang, key, args...) }
	switch m.Attribute {
	case desk.AttrPhone, desk.AttrMobilePhone, desk.AttrHomePhone, desk.AttrAgentExtension:
		kind := t("pop.number." + m.Attribute)
		if rule := desk.MatchRuleText(t, m.Rule, m.SuffixLen); rule != "" {
			return t("pop.match.number", kind, rule)
		}
		return kind
	case desk.AttrEmployeeNumber, desk.AttrSupportID, desk.AttrEmail:
		return t("pop.match." + m.Attribute)
	case cti.ParamRequest:
		return t("pop.match.request", m.Stored)
	}
	return ""
}

// nearMiss is a number close to the one that rang that the lookup did not
// match, and why: on the pop of an unknown (or only maybe known) number, it
// tells the agent who it was not, and why not.
type nearMiss struct {
	Stored, Name, Why string
}

// popNearMisses bounds the near misses the pop shows: a glance, not the
// explanation of ctidesk lookup --explain.
const popNearMisses = 3

// nearMissesOf returns the near misses of the number that rang, in lang.
func (s *Server) nearMissesOf(ctx context.Context, lang, number string) ([]nearMiss, error) {
	_, misses, err := s.svc.Callers.ExplainCallersByNumber(ctx, number)
	if desk.ErrorCode(err) == desk.EINVALID {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The pop's words are shorter than the explanation's: a glance.
	t := func(key string, args ...any) string { return s.i18n.t(lang, popMissKey(key), args...) }
	var out []nearMiss
	for _, m := range misses[:min(len(misses), popNearMisses)] {
		if m.Reason == desk.RejectAgentNoContact { // "2042 of agent bob: no contact person"
			out = append(out, nearMiss{Stored: m.Stored, Name: s.i18n.t(lang, "pop.miss.agent", m.Person.Name),
				Why: s.i18n.t(lang, "pop.miss.agent_no_contact")})
			continue
		}
		out = append(out, nearMiss{Stored: m.Stored, Name: m.Person.FriendlyName(), Why: desk.RejectReasonText(t, m)})
	}
	return out, nil
}

// popMissKey returns the pop's short words for the explanation's key of a
// near miss (desk.RejectReasonKey).
func popMissKey(key string) string {
	switch key {
	case "match.reject.complete":
		return "pop.miss.complete"
	case "match.reject.digits":
		return "pop.miss.digits"
	case "match.reject.extension":
		return "pop.miss.extension"
	}
	return key
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
