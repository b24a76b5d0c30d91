package cti_test

import (
	"context"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/desk"
)

func TestOutbound(t *testing.T) {
	f := mustPopFixture(t)
	cfg, err := config.Parse("test.yaml", []byte(`ecall_parameters:
  url: https://cti.example/index.php
  url_parameters:
    telephone: phone
    mailaddress: email
`))
	if err != nil {
		t.Fatal(err)
	}
	out := &cti.Outbound{ECall: cfg.ECall, PhoneCalls: f.svc.PhoneCalls, Now: func() time.Time { return f.now }}
	carl := *f.carl
	carl.Email = "carl@alpha.example"
	carl.HomePhone = "0123456789"

	opts := out.Options(&carl)
	want := []cti.CallOption{
		{"phone", "555-0100", "https://cti.example/index.php?telephone=555-0100&mailaddress=carl%40alpha.example"},
		{"mobile_phone", "+1 917 555 0111", "https://cti.example/index.php?telephone=%2B1+917+555+0111&mailaddress=carl%40alpha.example"},
		{"home_phone", "0123456789", "https://cti.example/index.php?telephone=0123456789&mailaddress=carl%40alpha.example"},
	}
	if len(opts) != len(want) {
		t.Fatalf("options %+v, want %+v", opts, want)
	}
	for i := range want {
		if opts[i] != want[i] {
			t.Errorf("option %d = %+v, want %+v", i, opts[i], want[i])
		}
	}
	// Ann has no email: the URL cannot be built.
	if opts := out.Options(f.ann); len(opts) != 0 {
		t.Errorf("options for a person without the email the URL needs: %+v, want none", opts)
	}
	if opts := (&cti.Outbound{PhoneCalls: f.svc.PhoneCalls}).Options(&carl); len(opts) != 0 {
		t.Errorf("options without ecall_parameters: %+v, want none", opts)
	}

	u, call, err := out.Place(f.agent, &carl, f.carlOpen.ID, "mobile_phone")
	if err != nil {
		t.Fatal(err)
	}
	if u != want[1].URL || call.Flow != desk.FlowOutbound || call.ContactID != carl.ID || call.AgentID != f.pat.ID ||
		call.TicketID != f.carlOpen.ID || call.Number != "+1 917 555 0111" || !call.Date.Equal(f.now) {
		t.Errorf("Place: %q, %+v", u, call)
	}
	for _, tt := range []struct {
		ctx  context.Context
		attr string
		code string
	}{
		{f.viewer, "phone", desk.EFORBIDDEN},
		{f.agent, "fax", desk.EINVALID},
		{desk.NewContextWithUser(context.Background(), &desk.User{Login: "x", Roles: []string{desk.RoleAgent}}), "phone", desk.EINVALID},
	} {
		if _, _, err := out.Place(tt.ctx, &carl, 0, tt.attr); desk.ErrorCode(err) != tt.code {
			t.Errorf("Place(%s): %v, want %s", tt.attr, err, tt.code)
		}
	}
}
