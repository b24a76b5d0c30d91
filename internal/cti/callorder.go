package cti

import (
	"strconv"
	"sync"
)

// callOrder runs the events of one call one after the other, in the order
// they arrive, from the read of the call to the notices sent: the store
// commits the events of concurrent calls together (group commit), and the
// agents' browsers must still see a call ring before it is answered, and
// answered before it ends. Events of different calls run side by side.
type callOrder struct {
	mu    sync.Mutex
	calls map[string]*callTurn
}

// callTurn is the lock of one call, kept while events of it run or wait.
type callTurn struct {
	mu      sync.Mutex
	waiting int
}

// lock waits for the call's earlier events to be handled, and returns the
// function that lets the next one go.
func (o *callOrder) lock(integrationID int64, callID string) (unlock func()) {
	key := strconv.FormatInt(integrationID, 10) + " " + callID
	o.mu.Lock()
	if o.calls == nil {
		o.calls = map[string]*callTurn{}
	}
	t := o.calls[key]
	if t == nil {
		t = &callTurn{}
		o.calls[key] = t
	}
	t.waiting++
	o.mu.Unlock()
	t.mu.Lock()
	return func() {
		t.mu.Unlock()
		o.mu.Lock()
		if t.waiting--; t.waiting == 0 {
			delete(o.calls, key)
		}
		o.mu.Unlock()
	}
}
