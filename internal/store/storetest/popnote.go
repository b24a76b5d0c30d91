package storetest

import (
	"testing"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/store"
)

// testPopNote: an agent's note of a call is his alone, replaced as he types,
// removed by an empty text or once used, and forgotten after a week.
func testPopNote(t *testing.T, open func(t *testing.T) *store.DB) {
	f := newFixture(t, open)
	db := f.db
	const key = "call:12"
	must(t, db.SavePopNote(f.agent, key, "Printer on floor 2"))
	must(t, db.SavePopNote(f.agent, key, "Printer on floor 2, paper jam\nsince Monday"))
	got, err := db.FindPopNote(f.agent, key)
	must(t, err)
	if got != "Printer on floor 2, paper jam\nsince Monday" {
		t.Fatalf("note %q, want the last one saved", got)
	}
	if other, err := db.FindPopNote(f.scoped, key); err != nil || other != "" {
		t.Fatalf("another agent reads %q (%v), want nothing: notes are each agent's", other, err)
	}
	if viewer, err := db.FindPopNote(f.viewer, "number:15550100"); err != nil || viewer != "" {
		t.Fatalf("viewer: %q %v", viewer, err)
	}
	must(t, db.DeletePopNote(f.agent, key))
	if got, _ := db.FindPopNote(f.agent, key); got != "" {
		t.Fatalf("a deleted note reads %q", got)
	}
	must(t, db.SavePopNote(f.agent, "number:15550100", "old"))
	must(t, db.SavePopNote(f.agent, "number:15550100", ""))
	if got, _ := db.FindPopNote(f.agent, "number:15550100"); got != "" {
		t.Fatalf("a note saved empty reads %q", got)
	}
	must(t, db.SavePopNote(f.agent, "call:1", "a week ago"))
	f.now = f.now.Add(8 * 24 * time.Hour)
	must(t, db.SavePopNote(f.agent, "call:2", "today"))
	if got, _ := db.FindPopNote(f.agent, "call:1"); got != "" {
		t.Fatalf("a note of a call a week over reads %q", got)
	}
	wantCode(t, db.SavePopNote(f.agent, "", "x"), desk.EINVALID)
	wantCode(t, db.SavePopNote(f.anon, "call:3", "x"), desk.EUNAUTHORIZED)
}
