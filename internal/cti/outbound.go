package cti

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/desk"
)

// Outbound is the outbound call use case (iTop's ecall_parameters, 4me's
// bi-directional CTI): the URL that makes the phone system call a person,
// and the outbound PhoneCall that records it.
type Outbound struct {
	// ECall is the configured outbound URL; nil disables outbound calls.
	ECall      *config.ECall
	PhoneCalls desk.PhoneCallService
	// Callbacks records the call as an attempt on the number's callback;
	// nil: none is.
	Callbacks desk.CallbackService
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// CallOption is one way to call a person: one of his numbers, and the URL
// that asks the phone system to dial it.
type CallOption struct {
	// Attribute is the phone attribute called: phone, mobile_phone or
	// home_phone.
	Attribute string
	Number    string
	URL       string
}

// Options returns the numbers of p the phone system can call, each with its
// URL, in the order of desk.PhoneAttributes: none when outbound calls are not
// configured, when p lacks an attribute the URL needs (an email, say), or
// when the URL takes a phone number and p has none. When the URL takes no
// phone attribute at all, there is one option, under the attribute "".
func (o *Outbound) Options(p *desk.Person) []CallOption {
	if o == nil || o.ECall == nil || p == nil {
		return nil
	}
	values := personObject(p)
	usesPhone := slices.ContainsFunc(o.ECall.URLParameters, func(up config.URLParameter) bool { return isPhoneAttribute(up.Attribute) })
	if !usesPhone {
		if u, ok := o.url(values, ""); ok {
			return []CallOption{{URL: u}}
		}
		return nil
	}
	var out []CallOption
	for _, attr := range desk.PhoneAttributes {
		number, _ := values.Value(attr).(string)
		if strings.TrimSpace(number) == "" {
			continue
		}
		if u, ok := o.url(values, attr); ok {
			out = append(out, CallOption{Attribute: attr, Number: number, URL: u})
		}
	}
	return out
}

// url builds the outbound URL for person values, with every phone
// parameter taking the chosen phone attribute's value; false when an
// attribute it needs is empty.
func (o *Outbound) url(values *desk.Object, phoneAttr string) (string, bool) {
	var q []string
	for _, up := range o.ECall.URLParameters {
		attr := up.Attribute
		if isPhoneAttribute(attr) && phoneAttr != "" {
			attr = phoneAttr
		}
		var v string
		if attr == "friendlyname" {
			v = values.FriendlyName
		} else {
			switch x := values.Value(attr).(type) {
			case string:
				v = x
			case int64:
				if x != 0 {
					v = strconv.FormatInt(x, 10)
				}
			}
		}
		if strings.TrimSpace(v) == "" {
			return "", false
		}
		q = append(q, url.QueryEscape(up.Name)+"="+url.QueryEscape(strings.TrimSpace(v)))
	}
	u := o.ECall.URL
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + strings.Join(q, "&")
	}
	return u, true
}

// Place records the outbound call of the user in ctx to p (on ticket
// ticketID, 0 for none) on the number of attribute, and returns the URL to
// open and the PhoneCall. The user needs the right to create phone calls
// and a contact person (the call's agent); attribute must be one of
// Options(p).
func (o *Outbound) Place(ctx context.Context, p *desk.Person, ticketID int64, attribute string) (string, *desk.PhoneCall, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return "", nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	if err := desk.Authorize(ctx, desk.ActionCreate, desk.ClassPhoneCall); err != nil {
		return "", nil, err
	}
	if user.ContactID == 0 {
		return "", nil, desk.NewError(desk.EINVALID, "error.no_contact_person")
	}
	if o == nil || o.ECall == nil {
		return "", nil, desk.NewError(desk.ENOTFOUND, "error.outbound_not_configured")
	}
	opts := o.Options(p)
	i := slices.IndexFunc(opts, func(c CallOption) bool { return c.Attribute == attribute })
	if i < 0 {
		return "", nil, desk.Invalid("number", "error.cannot_call_number", p.FriendlyName(), attribute)
	}
	opt := opts[i]
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	call := &desk.PhoneCall{ContactID: p.ID, AgentID: user.ContactID, TicketID: ticketID, Date: now(),
		Flow: desk.FlowOutbound, Number: opt.Number}
	if err := o.PhoneCalls.CreatePhoneCall(ctx, call); err != nil {
		return "", nil, err
	}
	if o.Callbacks != nil {
		if _, err := o.Callbacks.AttemptCallback(ctx, opt.Number); err != nil {
			return "", nil, err
		}
	}
	return opt.URL, call, nil
}
