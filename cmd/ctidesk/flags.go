package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/phone"
)

// envName is the environment variable that sets a flag: CTIDESK_ and the flag
// name in capitals, dashes as underscores (--db: CTIDESK_DB).
func envName(flagName string) string {
	return "CTIDESK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args into fs, allowing flags before and after positional
// arguments ("user add LOGIN --role agent"), then fills every flag not given
// on the command line from its CTIDESK_* environment variable.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
			}
		}
	})
	return positional, err
}

// int64List is a repeatable flag of ids (--org 3 --org 5), also read as a
// comma-separated list from the environment.
type int64List []int64

func (l *int64List) String() string { return fmt.Sprint([]int64(*l)) }

func (l *int64List) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		var v int64
		if _, err := fmt.Sscan(strings.TrimSpace(part), &v); err != nil || v <= 0 {
			return fmt.Errorf("%q is not an id", part)
		}
		*l = append(*l, v)
	}
	return nil
}

// phoneRegionFlag is --phone-region: a region libphonenumber knows, checked
// when the flag is set, so that a typo fails at once (it would otherwise
// silently turn every E.164 match off).
type phoneRegionFlag struct{ opt *phone.Options }

func (f phoneRegionFlag) String() string {
	if f.opt == nil {
		return ""
	}
	return f.opt.DefaultRegion
}

func (f phoneRegionFlag) Set(s string) error {
	n, err := phone.New(phone.Options{DefaultRegion: s})
	if err != nil {
		return err
	}
	f.opt.DefaultRegion = n.Options().DefaultRegion
	return nil
}

// minMatchDigitsFlag is --min-match-digits, checked when set.
type minMatchDigitsFlag struct{ opt *phone.Options }

func (f minMatchDigitsFlag) String() string {
	if f.opt == nil {
		return ""
	}
	return fmt.Sprint(f.opt.MinMatchDigits)
}

func (f minMatchDigitsFlag) Set(s string) error {
	var v int
	if _, err := fmt.Sscan(strings.TrimSpace(s), &v); err != nil || fmt.Sprint(v) != strings.TrimSpace(s) {
		return fmt.Errorf("%q is not a number of digits", s)
	}
	if v == 0 {
		return fmt.Errorf("min match digits must be between 4 and 15")
	}
	if _, err := phone.New(phone.Options{MinMatchDigits: v}); err != nil {
		return err
	}
	f.opt.MinMatchDigits = v
	return nil
}
