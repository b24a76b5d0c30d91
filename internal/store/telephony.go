package store

import (
	"context"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// The telephony settings (desk.TelephonyService): integrations
// (integration.go), the block list (blocklist.go), caller-ID rules
// (calleridrule.go) and the agents' settings (agent.go). The SQL is the
// dialect SQLite and PostgreSQL share, with ? placeholders; the tables are in
// migrations/*/…_cti_calls.sql.
//
// Rules the callers can see, besides those of the package comment:
//   - Integration tokens, like API tokens, are kept as their SHA-256 only,
//     and their use is recorded at most once a minute.
//   - The block list matches numbers as caller lookups do (phone.Match:
//     equal E.164 forms, or significant digits that end one another over at
//     least the minimum of digits), so that every form of a blocked number
//     is blocked. It is read whole for each check: a block list holds tens
//     or hundreds of numbers, each compared in about a microsecond.

var _ desk.TelephonyService = (*DB)(nil)

// authorizeTelephony refuses changes of the telephony settings to whoever
// may not manage users.
func authorizeTelephony(tx *Tx) error {
	if !tx.user.Can(desk.ActionModify, desk.ClassUser) {
		return desk.NewError(desk.EFORBIDDEN, "error.telephony_admin_only")
	}
	return nil
}

// deleteTelephonyRow deletes the row id of table (a constant of the caller),
// or returns notFound when there is none.
func (db *DB) deleteTelephonyRow(ctx context.Context, table string, id int64, notFound error) error {
	tx, err := db.beginWrite(ctx, "", "")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := authorizeTelephony(tx); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", table, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound
	}
	return tx.commit()
}
