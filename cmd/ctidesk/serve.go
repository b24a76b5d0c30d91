package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"time"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/cti"
	"github.com/ctidesk/ctidesk/internal/demo"
	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
	"github.com/ctidesk/ctidesk/internal/web"
)

func (m *Main) parseServe(args []string) error {
	fs := m.newFlagSet("serve")
	addr := fs.String("addr", ":8080", "address to listen on (host:port; :0 picks a free port)")
	loadDemo := fs.Bool("demo", false, "load demo data into an empty database first and print the demo logins")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set when ctidesk is served over HTTPS)")
	baseURL := fs.String("base-url", "", "the URL people reach ctidesk at (https://desk.example.com), for the links "+
		"the API gives phone systems; default: the scheme and host of each request")
	proxies := fs.String("trusted-proxy", "", "reverse proxies (addresses or CIDR prefixes, comma-separated) whose "+
		"X-Forwarded-For gives the client address, for the limit on failed logins by address")
	pprofAddr := fs.String("pprof", "", "also serve Go's profiles (net/http/pprof) on this address, as 127.0.0.1:6060: "+
		"for measuring, never on an address others reach (docs/performance.md)")
	if rest, err := parseFlags(fs, args, m.Getenv); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("serve: unexpected argument %q", rest[0])
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return fmt.Errorf("serve: --trusted-proxy: %w", err)
	}
	m.run = func(ctx context.Context) error {
		tuneGC()
		if err := m.openDB(ctx); err != nil {
			return err
		}
		if *loadDemo {
			if err := m.ensureDemo(ctx); err != nil {
				return err
			}
		}
		cfg := m.Config
		if cfg == nil {
			cfg = config.Default()
		}
		services := m.DB.Services()
		bus, err := m.eventBus(ctx)
		if err != nil {
			return err
		}
		pop := &cti.Pop{Config: cfg, Services: services}
		calls := &cti.Calls{Services: services, Lookup: pop.Lookup(), Bus: bus, Log: m.Logger, Callbacks: cfg.Callbacks}
		handler, err := web.New(web.Options{
			Services:        services,
			Logger:          m.Logger,
			SecureCookies:   *secure,
			BaseURL:         *baseURL,
			Pop:             pop,
			Outbound:        &cti.Outbound{ECall: cfg.ECall, PhoneCalls: services.PhoneCalls, Callbacks: services.Callbacks},
			PhoneLink:       cfg.Phone.Link,
			Calls:           calls,
			Bus:             bus,
			DefaultLanguage: cfg.Server.DefaultLanguage,
			TrustedProxies:  trusted,
			Readiness:       m.readinessChecks(bus),
		})
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("listen %s: %w", *addr, err)
		}
		m.listener = ln
		m.httpServer = &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
		// Shutdown waits for connections to go idle: the event streams end.
		m.httpServer.RegisterOnShutdown(handler.CloseStreams)
		srv := m.httpServer // Close may clear the field before the goroutine runs
		go func() {
			if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
				m.Logger.Error("serve", "err", err)
			}
		}()
		if *pprofAddr != "" {
			if err := m.servePprof(*pprofAddr); err != nil {
				return err
			}
		}
		m.sweepStaleCalls(calls, cfg.Calls.StaleAfter)
		m.serving = true
		fmt.Fprintf(m.Stdout, "ctidesk is serving on %s\n", displayURL(ln.Addr()))
		return nil
	}
	return nil
}

// sweepStaleCalls ends, in the background until Close, the calls that have
// had no event for staleAfter (their hangup was lost). Every instance sweeps:
// each call is ended once.
func (m *Main) sweepStaleCalls(calls *cti.Calls, staleAfter time.Duration) {
	if staleAfter <= 0 {
		staleAfter = config.Default().Calls.StaleAfter
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		calls.SweepStaleCalls(ctx, staleAfter)
	}()
	m.stopSweep = func() {
		cancel()
		<-done
	}
}

// servePprof serves the profiles of net/http/pprof on addr, apart from the
// application: /debug/pprof/ there, nothing of it on the main address.
func (m *Main) servePprof(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s for --pprof: %w", addr, err)
	}
	m.pprofServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv := m.pprofServer
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			m.Logger.Error("serve pprof", "err", err)
		}
	}()
	fmt.Fprintf(m.Stdout, "profiles on %s/debug/pprof/\n", displayURL(ln.Addr()))
	return nil
}

// ensureDemo loads demo data into an empty database; on a database that has
// data already it gives the demo logins new passwords, so that the newcomer
// always sees passwords that work.
func (m *Main) ensureDemo(ctx context.Context) error {
	ctx = desk.NewSystemContext(ctx)
	empty, err := m.DB.IsEmpty(ctx)
	if err != nil {
		return err
	}
	var logins []demo.Login
	if empty {
		start := time.Now()
		logins, err = demo.Load(ctx, m.DB.Services(), demo.Options{Progress: m.progress()})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(m.Stderr, "demo data loaded in %s\n", time.Since(start).Round(time.Millisecond))
	} else {
		logins, err = demo.ResetPasswords(ctx, m.DB.Services())
		if err != nil {
			return fmt.Errorf("demo logins: %w", err)
		}
		if len(logins) == 0 {
			fmt.Fprintln(m.Stderr, "the database holds data but no demo logins; --demo loads demo data only into an empty database")
			return nil
		}
	}
	m.printLogins(logins)
	return nil
}

func (m *Main) printLogins(logins []demo.Login) {
	fmt.Fprintln(m.Stdout, "demo logins:")
	for _, l := range logins {
		fmt.Fprintf(m.Stdout, "  %-8s password %-20s %s\n", l.Login, l.Password, l.Description)
	}
}

// displayURL turns a listen address into a URL a person can open.
func displayURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// parsePrefixes reads a comma-separated list of addresses (one host each) and
// CIDR prefixes.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// readinessChecks are the checks of /readyz: the database takes a write, and
// on PostgreSQL the event bus listens.
func (m *Main) readinessChecks(bus desk.EventBus) []web.ReadinessCheck {
	checks := []web.ReadinessCheck{{Name: "database_write", Check: m.DB.ProbeWrite}}
	if b, ok := bus.(*store.EventBus); ok {
		checks = append(checks, web.ReadinessCheck{Name: "event_bus", Check: func(context.Context) error {
			if !b.Connected() {
				return errors.New("the event bus is not listening to PostgreSQL")
			}
			return nil
		}})
	}
	return checks
}
