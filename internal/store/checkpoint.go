package store

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is how often the background checkpointer copies the WAL
// into the database file: the WAL holds about that long of writes.
const checkpointEvery = 250 * time.Millisecond

// checkpointer copies SQLite's write-ahead log into the database file from a
// connection of its own, in the background. SQLite's own checkpoints run in
// the commit that crosses 1,000 pages of WAL: that commit, and the call
// events grouped in it, waited for a few megabytes to be written and synced
// to the database file before they were acknowledged. A checkpoint needs no
// write lock: commits go on meanwhile, each synced to the WAL as before
// (durability is the same).
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens a connection to the database at dsn and
// checkpoints it every interval until close.
func startCheckpointer(ctx context.Context, dsn string, interval time.Duration) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(interval)
	return c, nil
}

func (c *checkpointer) run(interval time.Duration) {
	defer close(c.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			// PASSIVE: copies what no reader still needs, waits for
			// nobody. A failure (a full disk) is retried at the next tick;
			// the WAL keeps every commit meanwhile.
			c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// close stops the checkpoints and closes the connection. The last
// connection to close (the writer's) checkpoints what is left.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
