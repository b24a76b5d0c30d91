package config_test

import (
	"strings"
	"testing"

	"github.com/ctidesk/ctidesk/internal/config"
)

// FuzzParsePHP checks the reader of PHP array literals: it never panics nor
// loops, and what it reads, written back, reads the same. The seed corpus is
// in testdata/fuzz/FuzzParsePHP.
func FuzzParsePHP(f *testing.F) {
	for _, s := range []string{
		`array ('phone' => 'phone',)`,
		`['a' => [1, 2, 3], "b\n" => "x\$y\u{1F600}\x41\101", 'c' => true, 'd' => NULL, 'e' => -0x1F]`,
		"array( // comment\n 'k' => 'v', # other\n /* block */ 'n' => 1.5e3 )",
		`array('a' . 'b' => 'c' . 1, 5 => 'x', 'y', '7' => 'z')`,
		`array(`,
		`'unterminated`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		canon, err := config.ParsePHP(src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("ParsePHP(%q) error %q does not name its line", src, err)
			}
			return
		}
		again, err := config.ParsePHP(canon)
		if err != nil {
			t.Fatalf("ParsePHP(%q) = %q, which does not read back: %v", src, canon, err)
		}
		if again != canon {
			t.Fatalf("ParsePHP(%q) = %q, read back as %q", src, canon, again)
		}
		// The module reader must not panic either.
		_, _ = config.ParsePHPModule(src)
		_, _ = config.ImportITop("fuzz.php", []byte(src))
	})
}
