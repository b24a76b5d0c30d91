// Command ctidesk-bench drives a running ctidesk with a mix of screen pops
// (GET /pop), caller lookups (GET /api/v1/callers) and call events (POST
// /api/v1/cti/events) at a given concurrency for a given time, and prints
// the throughput, the p50/p95/p99 latency and the errors of each endpoint
// (docs/performance.md):
//
//	ctidesk-bench --url http://127.0.0.1:8080 --db sqlite:ctidesk.db \
//	    --token ctd_… --login agent --password … --integration-token cti_… \
//	    --mix pop=1,callers=1,events=1 --connections 200 --duration 30s
//
// By default each client sends its next request as soon as the last one
// answered (closed loop). With --rate N the requests are sent on a fixed
// schedule, N per second over all the connections (open loop, as wrk2),
// and latency is counted from each request's scheduled send time; the
// report gives the achieved rate next to the offered one and warns when
// the generator could not keep up.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/ctidesk/ctidesk/internal/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ctidesk-bench:", err)
		}
		os.Exit(2)
	}
}

// run parses args and runs the load, printing the report to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctidesk-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the server's base `URL`")
	token := fs.String("token", "", "API token for /api/v1/callers (ctidesk token create LOGIN)")
	login := fs.String("login", "", "login for /pop (form login)")
	password := fs.String("password", "", "password for /pop")
	integ := fs.String("integration-token", "", "integration token for /api/v1/cti/events (ctidesk integration create NAME)")
	user := fs.String("event-user", "", "the agent a call event rings and who answers (an extension or login); none when empty")
	mix := fs.String("mix", "callers", "the endpoints and their weights: pop, callers, events, as pop=1,callers=3")
	conns := fs.Int("connections", 50, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "how long the load runs")
	rate := fs.Float64("rate", 0, "offer `N` requests per second over all the connections on a fixed schedule (open loop, as wrk2), "+
		"latency counted from each request's scheduled send time; an events draw (three requests) takes one slot; "+
		"0: each client sends as soon as its last request answered (closed loop)")
	dsn := fs.String("db", "", "read the phone numbers of persons from this database (sqlite:PATH or postgres://…)")
	numbersFile := fs.String("numbers", "", "read the phone numbers from this `file`, one a line")
	count := fs.Int("count", 2000, "how many numbers to read from --db")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	m, err := loadgen.ParseMix(*mix)
	if err != nil {
		return err
	}
	var numbers []string
	switch {
	case *numbersFile != "":
		f, err := os.Open(*numbersFile)
		if err != nil {
			return err
		}
		numbers, err = loadgen.ReadNumbers(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *numbersFile, err)
		}
	case *dsn != "":
		if numbers, err = loadgen.LoadNumbers(ctx, *dsn, *count); err != nil {
			return err
		}
	default:
		return errors.New("give --db or --numbers for the phone numbers to look up")
	}
	loop := "closed loop"
	if *rate > 0 {
		loop = fmt.Sprintf("open loop at %g req/s offered", *rate)
	}
	fmt.Fprintf(stderr, "%d numbers; mix %s; %d connections, %s, for %s against %s\n", len(numbers), *mix, *conns, loop, *duration, *base)
	report, err := loadgen.Run(ctx, loadgen.Config{Base: *base, Token: *token, Login: *login, Password: *password,
		IntegrationToken: *integ, EventUser: *user, Mix: m, Connections: *conns, Duration: *duration, Rate: *rate,
		Numbers: numbers})
	if err != nil {
		return err
	}
	report.Write(stdout)
	return nil
}
