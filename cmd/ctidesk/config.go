package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/ctidesk/ctidesk/internal/config"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// loadConfig reads the configuration in force: --config, or ctidesk.yaml
// when it exists, over the built-in defaults, with the CTIDESK_* environment
// over the file. The flags the command line and the environment did not set
// take their values from it; then the configuration records the flags'
// values, so that m.Config says what is in force.
func (m *Main) loadConfig() error {
	path := m.ConfigPath
	if path == "" {
		if _, err := os.Stat(config.FileName); err == nil {
			path = config.FileName
		}
	}
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return configError(path, err)
		}
	}
	if err := cfg.ApplyEnv(m.Getenv); err != nil {
		return fmt.Errorf("environment:\n%w", err)
	}
	given := map[string]bool{}
	m.flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range []struct{ name, value string }{
		{"db", cfg.Server.Database},
		{"addr", cfg.Server.Address},
		{"phone-region", cfg.Phone.DefaultRegion},
		{"min-match-digits", strconv.Itoa(cfg.Phone.MinMatchDigits)},
	} {
		if given[f.name] || m.flags.Lookup(f.name) == nil {
			continue
		}
		if err := m.flags.Set(f.name, f.value); err != nil {
			return fmt.Errorf("configuration %s: %w", f.name, err)
		}
	}
	cfg.Server.Database = m.DSN
	if f := m.flags.Lookup("addr"); f != nil {
		cfg.Server.Address = f.Value.String()
	}
	cfg.Phone.DefaultRegion, cfg.Phone.MinMatchDigits = m.Phone.DefaultRegion, m.Phone.MinMatchDigits
	if cfg.Phone.InternalDigits != "" {
		r, err := phone.ParseRange(cfg.Phone.InternalDigits)
		if err != nil {
			return fmt.Errorf("configuration phone.internal_digits: %w", err)
		}
		m.Phone.InternalDigits = r
	}
	m.Config = cfg
	return nil
}

// configError says that the configuration file is invalid, with every
// mistake on its own line.
func configError(path string, err error) error {
	var errs config.Errors
	if errors.As(err, &errs) {
		return fmt.Errorf("%s is not a valid configuration (%s; check it with ctidesk config check %s):\n%w",
			path, mistakes(len(errs)), path, errs)
	}
	return err
}

func mistakes(n int) string {
	if n == 1 {
		return "1 mistake"
	}
	return fmt.Sprintf("%d mistakes", n)
}

const configUsage = "usage: ctidesk config check [FILE] | ctidesk config import-itop [-o FILE] ITOP_FILE"

func (m *Main) parseConfig(args []string) error {
	if len(args) == 0 {
		return errors.New(configUsage)
	}
	switch args[0] {
	case "check":
		return m.parseConfigCheck(args[1:])
	case "import-itop":
		return m.parseConfigImport(args[1:])
	}
	return fmt.Errorf("unknown config command %q; %s", args[0], configUsage)
}

// parseConfigCheck is ctidesk config check [FILE]: FILE, else --config, else
// ctidesk.yaml.
func (m *Main) parseConfigCheck(args []string) error {
	fs := m.newFlagSet("config check")
	rest, err := parseFlags(fs, args, m.Getenv)
	m.flags = nil // the file checked is not loaded as the configuration in force
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return errors.New(configUsage)
	}
	path := m.ConfigPath
	if len(rest) == 1 {
		path = rest[0]
	}
	if path == "" {
		path = config.FileName
	}
	m.run = func(ctx context.Context) error {
		cfg, err := config.Load(path)
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(m.Stderr, e)
			}
			return fmt.Errorf("%s: %s", path, mistakes(len(errs)))
		} else if err != nil {
			return err
		}
		for _, w := range cfg.Warnings {
			fmt.Fprintln(m.Stderr, w)
		}
		fmt.Fprintf(m.Stdout, "%s: OK\n", path)
		return nil
	}
	return nil
}

// parseConfigImport is ctidesk config import-itop [-o FILE] ITOP_FILE: the
// YAML goes to stdout or FILE, and is then checked, so that the
// administrator sees at once what ctidesk cannot run as iTop did.
func (m *Main) parseConfigImport(args []string) error {
	fs := m.newFlagSet("config import-itop")
	out := fs.String("o", "", "write the YAML to `file` (which must not exist) rather than to stdout")
	rest, err := parseFlags(fs, args, m.Getenv)
	m.flags = nil
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: ctidesk config import-itop [-o FILE] ITOP_FILE (config-itop.php, or XML with " +
			"<module_parameters>; - reads stdin)")
	}
	src := rest[0]
	m.run = func(ctx context.Context) error {
		var data []byte
		var err error
		if src == "-" {
			data, err = io.ReadAll(m.Stdin)
		} else {
			data, err = os.ReadFile(src)
		}
		if err != nil {
			return fmt.Errorf("import-itop: %w", err)
		}
		yaml, err := config.ImportITop(src, data)
		if err != nil {
			return err
		}
		name := "imported YAML"
		if *out != "" {
			name = *out
			f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("import-itop: %w", err)
			}
			if _, err := f.Write(yaml); err != nil {
				f.Close()
				return fmt.Errorf("import-itop: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("import-itop: %w", err)
			}
		} else if _, err := m.Stdout.Write(yaml); err != nil {
			return err
		}
		_, err = config.Parse(name, yaml)
		var errs config.Errors
		if errors.As(err, &errs) {
			fmt.Fprintf(m.Stderr, "the imported configuration needs changes before ctidesk can use it:\n")
			for _, e := range errs {
				fmt.Fprintln(m.Stderr, e)
			}
			return fmt.Errorf("import-itop %s: %s to fix", src, mistakes(len(errs)))
		} else if err != nil {
			return err
		}
		if *out != "" {
			fmt.Fprintf(m.Stdout, "%s written from %s; it checks clean\n", *out, src)
		}
		return nil
	}
	return nil
}
