package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// viewports are the screens the desk pages are tried on: a phone, a laptop,
// a desktop.
var viewports = []struct {
	name          string
	width, height int64
}{
	{"phone", 390, 844},
	{"laptop", 1366, 900},
	{"desktop", 1920, 1080},
}

// screenshot saves a PNG of the page in $CTIDESK_SCREENSHOTS, when set, to
// look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CTIDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

// pageFit measures a page as it shows: how much wider than the window it
// is, the header's height and whether its parts stand in one row, and how
// many rows of its first list are in view without scrolling.
type pageFit struct {
	Overflow     int  `json:"overflow"`
	HeaderHeight int  `json:"headerHeight"`
	HeaderOneRow bool `json:"headerOneRow"`
	RowsInView   int  `json:"rowsInView"`
	Rows         int  `json:"rows"`
}

const measureFit = `(() => {
  const doc = document.documentElement;
  const header = document.querySelector('header.top');
  const parts = header ? [...header.children].filter(e => e.offsetParent !== null) : [];
  const tops = parts.map(e => e.getBoundingClientRect());
  const oneRow = tops.every(r => r.top < tops[0].bottom && r.bottom > tops[0].top);
  const rows = [...document.querySelectorAll('main table.list tbody tr')];
  return {
    overflow: Math.max(0, doc.scrollWidth - doc.clientWidth),
    headerHeight: header ? Math.round(header.getBoundingClientRect().height) : 0,
    headerOneRow: oneRow,
    rowsInView: rows.filter(r => r.getBoundingClientRect().bottom <= innerHeight).length,
    rows: rows.length,
  };
})()`

// TestBrowserDeskPagesFit opens every desk page on a phone, a laptop and a
// desktop: none scrolls sideways, the laptop's header is one row, and the
// ticket list shows a screenful of rows.
func TestBrowserDeskPagesFit(t *testing.T) {
	ctx := MustBrowser(t)
	m, out := MustServe(t, "--demo", "--db", "sqlite:"+filepath.Join(t.TempDir(), "fit.db"))
	base := "http://" + m.Addr()
	pw := demoPasswords(out)
	if err := browserLogin(ctx, base, "admin", pw["admin"]); err != nil {
		t.Fatalf("log in as admin: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tickets"), chromedp.WaitVisible(chromedp.CSS("a[data-ticket]"))); err != nil {
		t.Fatal(err)
	}
	ticket, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[data-ticket]').getAttribute('href')`))
	if err != nil {
		t.Fatalf("find a ticket: %v", err)
	}
	pages := []string{"/", "/tickets", "/tickets?sort=last_update&dir=desc&ongoing=1", ticket, "/tickets/new",
		"/persons", "/persons/1", "/organizations", "/organizations/1", "/calls", "/phonecalls", "/search?q=a",
		"/admin/tokens", "/admin/telephony"}
	for _, vp := range viewports {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height)); err != nil {
			t.Fatal(err)
		}
		for _, page := range pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
				t.Fatalf("%s %s: %v", vp.name, page, err)
			}
			fit, err := chromedp.Run(ctx, chromedp.Evaluate[pageFit](measureFit))
			if err != nil {
				t.Fatalf("%s %s: measure: %v", vp.name, page, err)
			}
			name := vp.name + strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(page)
			screenshot(t, ctx, name)
			if fit.Overflow > 0 {
				t.Errorf("%s (%dx%d) %s: %d px wider than the window", vp.name, vp.width, vp.height, page, fit.Overflow)
			}
			if vp.width >= 1366 && !fit.HeaderOneRow {
				t.Errorf("%s %s: the header wraps (%d px high)", vp.name, page, fit.HeaderHeight)
			}
			if vp.width < 600 && fit.HeaderHeight > 120 {
				t.Errorf("%s %s: the header is %d px high", vp.name, page, fit.HeaderHeight)
			}
			if strings.HasPrefix(page, "/tickets?") {
				want := map[string]int{"phone": 3, "laptop": 15, "desktop": 20}[vp.name]
				if fit.RowsInView < want {
					t.Errorf("%s %s: %d of %d rows in view, want %d at least", vp.name, page, fit.RowsInView, fit.Rows, want)
				}
			}
		}
	}
}
