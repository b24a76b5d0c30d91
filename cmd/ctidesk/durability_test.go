package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/pgtest"
	"github.com/ctidesk/ctidesk/internal/store"
)

// subprocessEnv, set in a re-executed test binary, makes it run ctidesk's
// main with its arguments instead of the tests: the durability test's
// server, a real process it can kill.
const subprocessEnv = "CTIDESK_TEST_MAIN_SUBPROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(subprocessEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is ctidesk serve running as a child process.
type serverProcess struct {
	cmd  *exec.Cmd
	base string
	out  *bytes.Buffer // what it printed on stdout
}

// startServer starts "ctidesk serve" with args in a child process (the test
// binary re-executed) on a free loopback port, and waits until it serves.
func startServer(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), subprocessEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, out: &bytes.Buffer{}}
	t.Cleanup(func() { p.kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		p.out.WriteString(line + "\n")
		if u, ok := strings.CutPrefix(line, "ctidesk is serving on "); ok {
			p.base = strings.TrimSuffix(u, "/")
			break
		}
	}
	if p.base == "" {
		cmd.Wait()
		t.Fatalf("the server did not start:\n%s%s", p.out, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return p
}

// kill kills the server with SIGKILL, as a power cut would, and waits for
// it to exit.
func (p *serverProcess) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// created is one creation the server acknowledged.
type created struct {
	path string         // /api/v1/tickets/ID
	want map[string]any // attributes sent, as the server must give them back
}

// TestDurability checks that every creation the server acknowledged
// survives a kill: 50 clients create tickets and phone calls over the API,
// and post call events, against a real server process, which is killed with
// SIGKILL mid-way and restarted; every ticket and phone call answered 201
// with an id is then read back, intact, and every call as its last
// acknowledged event left it (the events of concurrent calls are committed
// together). On SQLite and PostgreSQL.
func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	for _, tt := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "durable.db") }},
		{"postgres", func(t *testing.T) string { _, url := pgtest.Open(t); return url }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn := tt.dsn(t)
			srv := startServer(t, "--demo", "--db", dsn)
			out, err := runCommand(t, "", nil, "token", "create", "agent", "--db", dsn)
			if err != nil {
				t.Fatalf("token create: %v\n%s", err, out)
			}
			token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
			out, err = runCommand(t, "", nil, "integration", "create", "pbx", "--db", dsn)
			if err != nil {
				t.Fatalf("integration create: %v\n%s", err, out)
			}
			integrationToken := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
			client := &http.Client{Timeout: 20 * time.Second}
			call := func(base, method, path string, body any) (int, map[string]any, error) {
				var r io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					r = bytes.NewReader(b)
				}
				req, err := http.NewRequest(method, base+path, r)
				if err != nil {
					return 0, nil, err
				}
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return 0, nil, err
				}
				defer resp.Body.Close()
				var v map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
					return resp.StatusCode, nil, err
				}
				return resp.StatusCode, v, nil
			}
			status, persons, err := call(srv.base, http.MethodGet, "/api/v1/persons?limit=20", nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("persons: %d %v", status, err)
			}
			var people []map[string]any
			for _, p := range persons["items"].([]any) {
				if p := p.(map[string]any); p["org_id"] != nil {
					people = append(people, p)
				}
			}
			if len(people) == 0 {
				t.Fatal("no person with an organization in the demo data")
			}

			// The agent's browser, for the creations from the screen pop: a
			// ticket, the pop's log entry and the phone call, as one action.
			browser := mustHTTPLogin(t, srv.base, "agent", demoPasswords(srv.out.String())["agent"])
			resp, err := browser.Get(srv.base + "/tickets/new?kind=UserRequest")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			csrf := csrfHidden.FindSubmatch(page)
			if csrf == nil {
				t.Fatal("no CSRF token on the ticket form")
			}
			browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			popCreate := func(c, i int, p map[string]any) (string, bool) {
				id := func(v any) string { return fmt.Sprint(int64(v.(float64))) }
				form := url.Values{"csrf_token": {string(csrf[1])}, "kind": {"UserRequest"},
					"title": {fmt.Sprintf("pop-durable %d-%d", c, i)}, "org_id": {id(p["org_id"])},
					"caller_id": {id(p["id"])}, "origin": {"phone"}, "pop": {"1"}, "pop_number": {"+1 512 555 0199"},
					"pop_caller": {id(p["id"])}, "pop_log": {"public_log"},
					"pop_log_text": {fmt.Sprintf("Call from customer, pop %d-%d", c, i)}}
				resp, err := browser.PostForm(srv.base+"/tickets", form)
				if err != nil {
					return "", false
				}
				resp.Body.Close()
				loc := resp.Header.Get("Location")
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tickets/") {
					return "", false
				}
				ticket, _, _ := strings.Cut(strings.TrimPrefix(loc, "/tickets/"), "?")
				return "/api/v1/tickets/" + ticket, true
			}

			// event posts one call event as the phone system does; true when
			// acknowledged (200).
			event := func(form url.Values) bool {
				req, err := http.NewRequest(http.MethodPost, srv.base+"/api/v1/cti/events", strings.NewReader(form.Encode()))
				if err != nil {
					return false
				}
				req.Header.Set("Authorization", "Bearer "+integrationToken)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := client.Do(req)
				if err != nil {
					return false
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			}

			// 50 clients create until the server is killed, after the first
			// 400 acknowledged creations; a fifth create from the pop,
			// and two fifths post the events of calls (newCall, answer,
			// hangup), which the server commits together.
			const clients = 50
			var (
				mu    sync.Mutex
				acked []created
				// events holds, by call id, the last event of the call
				// acknowledged.
				events = map[string]string{}
				count  atomic.Int64
				lost   atomic.Int64 // requests not acknowledged
				wg     sync.WaitGroup
			)
			killed := make(chan struct{})
			var killOnce sync.Once
			for c := range clients {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-killed:
							return
						default:
						}
						p := people[(c+i)%len(people)]
						if c%5 == 1 || c%5 == 3 {
							callID := fmt.Sprintf("durable-%d-%d", c, i)
							for _, ev := range []string{"newCall", "answer", "hangup"} {
								form := url.Values{"event": {ev}, "direction": {"in"}, "callId": {callID},
									"from": {fmt.Sprintf("+1 512 555 %04d", c*100+i%100)}, "to": {"100"}}
								if ev == "hangup" {
									form.Set("cause", "normalClearing")
								}
								if !event(form) {
									lost.Add(1)
									break
								}
								mu.Lock()
								events[callID] = ev
								mu.Unlock()
								if count.Add(1) == 400 {
									killOnce.Do(func() { srv.kill(); close(killed) })
								}
							}
							continue
						}
						if c%5 == 0 {
							if path, ok := popCreate(c, i, p); ok {
								mu.Lock()
								acked = append(acked, created{path: path, want: map[string]any{
									"title": fmt.Sprintf("pop-durable %d-%d", c, i), "origin": "phone"}})
								mu.Unlock()
								if count.Add(1) == 400 {
									killOnce.Do(func() { srv.kill(); close(killed) })
								}
							} else {
								lost.Add(1)
							}
							continue
						}
						var path string
						var body map[string]any
						if (c+i)%2 == 0 {
							path = "/api/v1/tickets"
							body = map[string]any{"kind": "UserRequest", "title": fmt.Sprintf("durable %d-%d", c, i),
								"description": fmt.Sprintf("client %d, request %d", c, i), "org_id": p["org_id"],
								"caller_id": p["id"]}
						} else {
							path = "/api/v1/phonecalls"
							body = map[string]any{"flow": "inbound", "number": "+1 512 555 " + fmt.Sprintf("%04d", c*100+i%100),
								"contact_id": p["id"], "agent_id": people[0]["id"], "duration": float64(c*1000 + i),
								"note": fmt.Sprintf("durable %d-%d", c, i)}
						}
						status, v, err := call(srv.base, http.MethodPost, path, body)
						if err != nil || status != http.StatusCreated {
							lost.Add(1)
							continue // not acknowledged: it may or may not be there
						}
						id, ok := v["id"].(float64)
						if !ok || id == 0 {
							continue
						}
						mu.Lock()
						acked = append(acked, created{path: fmt.Sprintf("%s/%d", path, int64(id)), want: body})
						mu.Unlock()
						if count.Add(1) == 400 {
							killOnce.Do(func() {
								srv.kill()
								close(killed)
							})
						}
					}
				})
			}
			select {
			case <-killed:
			case <-time.After(40 * time.Second):
				killOnce.Do(func() { srv.kill(); close(killed) })
				t.Log("fewer than 400 creations in 40 s; killed anyway")
			}
			wg.Wait()
			if len(acked) == 0 {
				t.Fatal("no creation acknowledged before the kill")
			}

			srv2 := startServer(t, "--db", dsn)
			for _, a := range acked {
				status, got, err := call(srv2.base, http.MethodGet, a.path, nil)
				if err != nil || status != http.StatusOK {
					t.Errorf("GET %s after the kill: %d %v: an acknowledged creation is lost", a.path, status, err)
					continue
				}
				for k, want := range a.want {
					if got[k] != want {
						t.Errorf("GET %s: %s = %v, want %v", a.path, k, got[k], want)
					}
				}
			}
			t.Logf("%d acknowledged creations from %d clients, all present after SIGKILL and restart (%d requests cut short)",
				len(acked), clients, lost.Load())

			// Every ticket created from the pop that is there, acknowledged
			// or not, is there whole: with its log entry and its phone call.
			sys := desk.NewSystemContext(context.Background())
			db, err := store.Open(sys, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Every call event acknowledged is there: the call of a newCall,
			// answered after an answer, ended after a hangup.
			if len(events) == 0 {
				t.Fatal("no call event acknowledged before the kill")
			}
			for callID, last := range events {
				calls, _, err := db.FindCalls(sys, desk.CallFilter{CallID: &callID})
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case len(calls) != 1:
					t.Errorf("call %s: %s acknowledged, the call is lost", callID, last)
				case last != "newCall" && calls[0].AnsweredAt == nil:
					t.Errorf("call %s: %s acknowledged, the call is %s, not answered", callID, last, calls[0].State)
				case last == "hangup" && calls[0].EndedAt == nil:
					t.Errorf("call %s: hangup acknowledged, the call has not ended", callID)
				}
			}
			t.Logf("%d calls whose events were acknowledged, each as its last event left it", len(events))

			popTickets, _, err := db.FindTickets(sys, desk.TicketFilter{Query: "pop-durable", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(popTickets) == 0 {
				t.Fatal("no ticket created from the pop")
			}
			for _, tk := range popTickets {
				full, err := db.FindTicketByID(sys, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				calls, _, err := db.FindPhoneCalls(sys, desk.PhoneCallFilter{TicketID: &tk.ID, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(full.PublicLog) != 1 || len(calls) != 1 {
					t.Errorf("%s created from the pop has %d log entries and %d phone calls, want 1 and 1: half an action survived",
						tk.Ref, len(full.PublicLog), len(calls))
				}
			}
			t.Logf("%d tickets created from the pop, each with its log entry and phone call", len(popTickets))
		})
	}
}
