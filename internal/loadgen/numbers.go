package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// LoadNumbers returns the phone numbers of up to n persons spread over the
// database's directory (demo data has dense ids), for a load to look up.
func LoadNumbers(ctx context.Context, dsn string, n int) ([]string, error) {
	ctx = desk.NewSystemContext(ctx)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsn, err)
	}
	defer s.Close()
	_, total, err := s.FindPersons(ctx, desk.PersonFilter{Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("count persons: %w", err)
	}
	var ids []int64
	for i := range 2 * n {
		ids = append(ids, int64((i*7919)%max(1, total))+1)
	}
	persons, _, err := s.FindPersons(ctx, desk.PersonFilter{IDs: ids, Limit: len(ids)})
	if err != nil {
		return nil, fmt.Errorf("read persons: %w", err)
	}
	var numbers []string
	for _, p := range persons {
		if p.Phone != "" && len(numbers) < n {
			numbers = append(numbers, p.Phone)
		}
	}
	if len(numbers) == 0 {
		return nil, errors.New("no person with a phone number in " + dsn)
	}
	return numbers, nil
}

// ReadNumbers reads phone numbers one a line; blank lines and lines
// starting with # are skipped.
func ReadNumbers(r io.Reader) ([]string, error) {
	var numbers []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			numbers = append(numbers, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(numbers) == 0 {
		return nil, errors.New("no phone numbers")
	}
	return numbers, nil
}
