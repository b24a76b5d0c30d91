package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctidesk/ctidesk/internal/desk"
	"github.com/ctidesk/ctidesk/internal/phone"
)

// blockKey is what the block list compares: the E.164 form when the number
// has one, else its significant digits.
func blockKey(n phone.Number) string {
	if n.E164 != "" {
		return n.E164
	}
	return n.Digits
}

// FindBlockedNumbers returns the block list, by number.
func (db *DB) FindBlockedNumbers(ctx context.Context) ([]*desk.BlockedNumber, error) {
	tx, err := db.beginRead(ctx, desk.ClassPhoneCall)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT id, number, note, created_at FROM cti_blocked_number ORDER BY number, id")
	return collect(rows, err, "find blocked numbers", func(rows *sql.Rows) (*desk.BlockedNumber, error) {
		var b desk.BlockedNumber
		err := rows.Scan(&b.ID, &b.Number, &b.Note, &b.CreatedAt)
		b.CreatedAt = b.CreatedAt.UTC()
		return &b, err
	})
}

// CreateBlockedNumber adds b to the block list and sets its ID.
func (db *DB) CreateBlockedNumber(ctx context.Context, b *desk.BlockedNumber) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	b.Number, b.Note = strings.TrimSpace(b.Number), strings.TrimSpace(b.Note)
	key := blockKey(tx.phone.Parse(b.Number))
	switch {
	case key == "":
		return desk.Invalid("number", "error.no_digit", b.Number)
	case len(b.Number) > 64:
		return desk.Invalid("number", "error.number_too_long")
	case len(b.Note) > 255:
		return desk.Invalid("note", "error.note_too_long_255")
	}
	blocked, err := blockedNumbers(ctx, tx.QueryContext)
	if err != nil {
		return err
	}
	n := tx.phone.Parse(b.Number)
	for _, old := range blocked {
		if _, ok := tx.phone.Match(n, tx.phone.Parse(old)); ok {
			return &desk.Error{Code: desk.ECONFLICT, Field: "number", Key: "error.number_blocked", Args: []any{b.Number}}
		}
	}
	b.CreatedAt = tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO cti_blocked_number (number, digits, note, created_at) VALUES (?, ?, ?, ?)
		RETURNING id`, b.Number, key, b.Note, b.CreatedAt).Scan(&b.ID)
	if isUnique(err) {
		return &desk.Error{Code: desk.ECONFLICT, Field: "number", Key: "error.number_blocked", Args: []any{b.Number}}
	} else if err != nil {
		return fmt.Errorf("block number: %w", err)
	}
	return tx.commit()
}

// DeleteBlockedNumber removes a number from the block list.
func (db *DB) DeleteBlockedNumber(ctx context.Context, id int64) error {
	return db.deleteTelephonyRow(ctx, "cti_blocked_number", id, desk.NewError(desk.ENOTFOUND, "error.blocked_number_not_found"))
}

// IsBlockedNumber reports whether number, as a phone system sends it (a
// leading space is a +), matches a number of the block list. It reads with
// one statement.
func (db *DB) IsBlockedNumber(ctx context.Context, number string) (bool, error) {
	if desk.UserFromContext(ctx) == nil {
		return false, desk.NewError(desk.EUNAUTHORIZED, "error.login_required")
	}
	caller := db.Phone.FromQuery(number)
	if caller.Digits == "" {
		return false, nil
	}
	// A prepared statement of the reader pool: it runs at every new
	// inbound call.
	blocked, err := blockedNumbers(ctx, func(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
		return db.queryPool(ctx, db.read, db.sql(query), args...)
	})
	if err != nil {
		return false, err
	}
	for _, b := range blocked {
		if _, ok := db.Phone.Match(caller, db.Phone.Parse(b)); ok {
			return true, nil
		}
	}
	return false, nil
}

// blockedNumbers returns the numbers of the block list, read with query.
func blockedNumbers(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error)) ([]string, error) {
	rows, err := query(ctx, "SELECT number FROM cti_blocked_number")
	return collect(rows, err, "read the block list", func(rows *sql.Rows) (string, error) {
		var n string
		err := rows.Scan(&n)
		return n, err
	})
}
