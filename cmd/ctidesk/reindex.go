package main

import (
	"context"
	"fmt"
	"time"
)

func (m *Main) parseReindex(args []string) error {
	fs := m.newFlagSet("reindex")
	if rest, err := parseFlags(fs, args, m.Getenv); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("reindex: unexpected argument %q", rest[0])
	}
	m.run = func(ctx context.Context) error {
		m.keysChecked = true // the keys are about to be rebuilt: no warning
		if err := m.openDB(ctx); err != nil {
			return err
		}
		start := time.Now()
		progress := m.progress()
		if err := m.DB.Reindex(ctx, func(done, total int) { progress("number keys", done, total) }); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "phone number keys rebuilt for region %s in %s\n", m.DB.Phone.Options().DefaultRegion,
			time.Since(start).Round(time.Millisecond))
		return nil
	}
	return nil
}
