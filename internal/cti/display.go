package cti

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Display is the pop on demand (what Zendesk's Talk Partner Edition
// offers): a program asks that an agent's open ctidesk tab show a ticket, a
// person, or the screen pop of some parameters. The page goes to the tab
// through the agent's event stream, as the pop on answer does.
type Display struct {
	Services desk.Services
	// Bus carries the page to the agent's tab; nil: no tab is ever open.
	Bus desk.EventBus
	// Now returns the current time, to name each request; default
	// time.Now.
	Now func() time.Time
}

// DisplayTarget is what to show: one of a ticket (its reference, R-000123,
// or its id), a person (his id), or the pop's parameters (phone, …).
type DisplayTarget struct {
	Ticket string            `json:"ticket,omitempty"`
	Person int64             `json:"person,omitempty"`
	Pop    map[string]string `json:"pop,omitempty"`
}

// Displayed is what was sent to the agent's tab.
type Displayed struct {
	// Agent is the agent's login.
	Agent string `json:"agent"`
	// URL is the page the tab opens, relative to ctidesk's base URL.
	URL string `json:"url"`
	// Label names what is shown, as the notice of a busy tab does.
	Label string `json:"label"`
}

// NoticeDisplay is the event type of the browsers' event stream that opens
// a page in the agent's tab.
const NoticeDisplay = "display"

// subscribers is the part of an event bus that knows its subscriptions on
// this instance (cti.MemoryBus, store.EventBus).
type subscribers interface{ Subscribers(userID int64) int }

// Show sends target to the open tab of the agent known by key (his login or
// his extension, as the phone system names him). The user in ctx must be
// that agent or an administrator. Either of them not seeing the object is
// ENOTFOUND: the agent is never shown what he may not see. An agent without
// an open tab (on this instance) is ECONFLICT.
func (d *Display) Show(ctx context.Context, key string, target DisplayTarget) (*Displayed, error) {
	user := desk.UserFromContext(ctx)
	if user == nil {
		return nil, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	agents, err := d.Services.Telephony.FindAgents(desk.NewSystemContext(ctx), strings.TrimSpace(key))
	if err != nil {
		return nil, err
	}
	if len(agents) == 0 {
		return nil, desk.NewError(desk.ENOTFOUND, "error.display_no_agent", key)
	}
	agent := agents[0]
	if agent.ID != user.ID && !user.Can(desk.ActionModify, desk.ClassUser) {
		return nil, desk.NewError(desk.EFORBIDDEN, "error.display_forbidden")
	}
	agentCtx := desk.NewContextWithUser(ctx, agent)
	out := &Displayed{Agent: agent.Login}
	given := 0
	if target.Ticket != "" {
		given++
	}
	if target.Person != 0 {
		given++
	}
	if target.Pop != nil {
		given++
	}
	if given != 1 {
		return nil, desk.Invalid("ticket", "error.display_one_target")
	}
	switch {
	case target.Ticket != "":
		id, ok := desk.ParseTicketRef(target.Ticket)
		if !ok {
			if id, err = strconv.ParseInt(strings.TrimSpace(target.Ticket), 10, 64); err != nil || id <= 0 {
				return nil, desk.Invalid("ticket", "error.display_ticket", target.Ticket)
			}
		}
		t, err := d.visible(ctx, agentCtx, func(ctx context.Context) (any, error) {
			return d.Services.Tickets.FindTicketByID(ctx, id)
		})
		if err != nil {
			return nil, err
		}
		tk := t.(*desk.Ticket)
		out.URL, out.Label = "/tickets/"+strconv.FormatInt(tk.ID, 10), tk.Ref+" "+tk.Title
	case target.Person != 0:
		p, err := d.visible(ctx, agentCtx, func(ctx context.Context) (any, error) {
			return d.Services.Persons.FindPersonByID(ctx, target.Person)
		})
		if err != nil {
			return nil, err
		}
		person := p.(*desk.Person)
		out.URL, out.Label = "/persons/"+strconv.FormatInt(person.ID, 10), person.FriendlyName()
	default:
		q := url.Values{}
		var values []string
		for _, k := range slices.Sorted(maps.Keys(target.Pop)) {
			v := strings.TrimSpace(target.Pop[k])
			if k == "" || len(k) > 64 || !desk.ValidText(k, false) {
				return nil, desk.Invalid("pop", "error.display_pop")
			}
			if err := desk.CheckText(k, v); err != nil {
				return nil, err
			}
			if v != "" {
				q.Set(k, v)
				values = append(values, v)
			}
		}
		if len(q) == 0 || len(q.Encode()) > 2000 {
			return nil, desk.Invalid("pop", "error.display_pop")
		}
		// The pop looks the callers up as the agent: his scope applies.
		out.URL, out.Label = "/pop?"+q.Encode(), strings.Join(values, " ")
	}
	if d.Bus == nil {
		return nil, desk.NewError(desk.ECONFLICT, "error.display_no_tab", agent.Login)
	}
	if s, ok := d.Bus.(subscribers); ok && s.Subscribers(agent.ID) == 0 {
		return nil, desk.NewError(desk.ECONFLICT, "error.display_no_tab", agent.Login)
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	// The notice's shape is the pop on answer's, so that a tab with unsaved
	// input shows it with its button rather than leave the page.
	data, err := json.Marshal(map[string]any{"call": "display-" + strconv.FormatInt(now().UnixNano(), 36),
		"pop_url": out.URL, "callers": []NoticeCaller{{Name: out.Label}}})
	if err != nil {
		return nil, err
	}
	if err := d.Bus.Publish(ctx, agent.ID, desk.PushEvent{Type: NoticeDisplay, Data: data}); err != nil {
		return nil, fmt.Errorf("display for %s: %w", agent.Login, err)
	}
	return out, nil
}

// visible finds an object as the user of ctx and as the agent: ENOTFOUND
// when either may not see it.
func (d *Display) visible(ctx, agentCtx context.Context, find func(context.Context) (any, error)) (any, error) {
	if _, err := find(ctx); err != nil {
		return nil, err
	}
	return find(agentCtx)
}
