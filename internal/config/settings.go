package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// Environment variables that override the file: CTIDESK_ and the name of the
// command-line flag, as every flag of cmd/ctidesk reads its variable.
const (
	// EnvAddress overrides server.address (--addr).
	EnvAddress = "CTIDESK_ADDR"
	// EnvDatabase overrides server.database (--db).
	EnvDatabase = "CTIDESK_DB"
	// EnvSessionSecret overrides server.session_secret, which is better
	// kept out of files.
	EnvSessionSecret = "CTIDESK_SESSION_SECRET"
	// EnvDefaultLanguage overrides server.default_language.
	EnvDefaultLanguage = "CTIDESK_DEFAULT_LANGUAGE"
	// EnvPhoneRegion overrides phone.default_region (--phone-region).
	EnvPhoneRegion = "CTIDESK_PHONE_REGION"
	// EnvMinMatchDigits overrides phone.min_match_digits (--min-match-digits).
	EnvMinMatchDigits = "CTIDESK_MIN_MATCH_DIGITS"
)

// ApplyEnv overrides the server and phone settings with the CTIDESK_*
// environment variables that getenv returns set (EnvAddress...). A variable
// with a wrong value is a mistake, as in the file.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	var errs Errors
	set := func(name string, dst *string, check func(string) error) {
		v := getenv(name)
		if v == "" {
			return
		}
		if err := check(v); err != nil {
			errs = append(errs, &Error{File: "environment", Key: name, Message: err.Error()})
			return
		}
		*dst = v
	}
	set(EnvAddress, &c.Server.Address, checkAddress)
	set(EnvDatabase, &c.Server.Database, checkDatabase)
	set(EnvSessionSecret, &c.Server.SessionSecret, checkSessionSecret)
	set(EnvDefaultLanguage, &c.Server.DefaultLanguage, checkLanguage)
	set(EnvPhoneRegion, &c.Phone.DefaultRegion, checkRegion)
	var digits string
	set(EnvMinMatchDigits, &digits, func(s string) error {
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		return checkMinMatchDigits(i)
	})
	if digits != "" {
		c.Phone.MinMatchDigits, _ = strconv.Atoi(strings.TrimSpace(digits))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// parseStaleAfter reads calls.stale_after: a Go duration (4h, 90m, 30s) of
// at least MinStaleAfter.
func parseStaleAfter(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration, such as 4h, 90m or 30s", s)
	}
	if d < MinStaleAfter {
		return 0, fmt.Errorf("stale_after is at least %s, not %s: a call on hold sends no event", MinStaleAfter, d)
	}
	return d, nil
}

func checkAddress(s string) error {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return fmt.Errorf("%q is not host:port, such as :8080 or 127.0.0.1:8080", s)
	}
	return nil
}

func checkDatabase(s string) error {
	if (strings.HasPrefix(s, "sqlite:") && len(s) > len("sqlite:")) || strings.HasPrefix(s, "postgres://") ||
		strings.HasPrefix(s, "postgresql://") {
		return nil
	}
	return errors.New("want sqlite:PATH or a postgres:// URL")
}

// minSessionSecret is the least length of a session secret: 32 characters
// carry enough entropy when random.
const minSessionSecret = 32

func checkSessionSecret(s string) error {
	if s != "" && len(s) < minSessionSecret {
		return fmt.Errorf("a session secret has at least %d characters, not %d", minSessionSecret, len(s))
	}
	return nil
}

func checkLanguage(s string) error {
	if !slices.Contains(desk.Languages, s) {
		return fmt.Errorf("unknown language %q: want one of %s%s", s, strings.Join(desk.Languages, ", "), suggest(s, desk.Languages))
	}
	return nil
}

func checkRegion(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("a region is required: an ISO 3166-1 code such as US, FR, GB")
	}
	if _, err := phone.New(phone.Options{DefaultRegion: s}); err != nil {
		return fmt.Errorf("unknown region %q: want an ISO 3166-1 code such as US, FR, GB", s)
	}
	return nil
}

func checkMinMatchDigits(i int) error {
	if i == 0 {
		return errors.New("min_match_digits is between 4 and 15, not 0")
	}
	if _, err := phone.New(phone.Options{MinMatchDigits: i}); err != nil {
		return fmt.Errorf("min_match_digits is between 4 and 15, not %d", i)
	}
	return nil
}

// checkCallURL checks the url of ecall_parameters: an absolute http(s) URL,
// since the browser opens it in a new tab.
func checkCallURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", s)
	}
	return nil
}

// phoneLinkScheme is the scheme a phone link starts with.
var phoneLinkScheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// CheckPhoneLink accepts "tel:", "sip:", "callto:"..., or a template with
// $number$, never a scheme a browser would run. The web layer checks its
// PhoneLink option with it too.
func CheckPhoneLink(s string) error {
	m := phoneLinkScheme.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return fmt.Errorf("link %q does not start with a URL scheme such as tel, sip or callto", s)
	}
	switch strings.ToLower(m[1]) {
	case "javascript", "data", "vbscript", "file", "blob":
		return fmt.Errorf("link %q: the %s: scheme is not allowed", s, m[1])
	}
	if strings.TrimSpace(s) != m[0] && !strings.Contains(s, "$number$") {
		return fmt.Errorf("link %q: give a scheme (sip:) or a template with $number$", s)
	}
	return nil
}
