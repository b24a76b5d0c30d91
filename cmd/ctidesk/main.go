// Command ctidesk is the ctidesk service desk: one binary that serves the web
// application and carries the administrator's subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain()
	if err := m.ParseFlags(ctx, os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "ctidesk:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		fmt.Fprintln(os.Stderr, "ctidesk:", err)
		os.Exit(1)
	}
	if m.Serving() {
		<-ctx.Done()
		m.Logger.Info("shutting down")
	}
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "ctidesk:", err)
		os.Exit(1)
	}
}
