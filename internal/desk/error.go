// Package desk holds ctidesk's domain: the service desk entities, the rules they
// obey, the error codes and the service interfaces the rest of the program
// depends on. It imports no driver and knows nothing of HTTP or SQL.
package desk

import (
	"errors"
	"fmt"

	"github.com/ctidesk/ctidesk/internal/locale"
)

// Error codes, shared by every layer. The store turns driver errors into these
// at its edge; the web layer maps them to HTTP statuses in one place.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
)

// Error is a domain error: a code, the message meant for the user as a
// message key and its arguments (rendered in the reader's language by
// internal/locale), and for validation errors the attribute at fault.
type Error struct {
	Code string
	// Key is the message's key in the catalogs of internal/locale
	// ("error.title_required"); Args are its arguments.
	Key   string
	Args  []any
	Field string
}

// Error implements the error interface, for logs: the code, field, key and
// arguments, in no language.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("desk error: code=%s field=%s key=%s args=%v", e.Code, e.Field, e.Key, e.Args)
	}
	return fmt.Sprintf("desk error: code=%s key=%s args=%v", e.Code, e.Key, e.Args)
}

// MessageKey implements locale.Localized.
func (e *Error) MessageKey() (string, []any) { return e.Key, e.Args }

// NewError returns an error of code whose message is key with args.
func NewError(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Invalid returns an EINVALID error about one attribute.
func Invalid(field, key string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Key: key, Args: args}
}

// WithField returns err about another field: a domain error keeps its
// message, any other error is internal.
func WithField(err error, field string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, Key: e.Key, Args: e.Args, Field: field}
	}
	return &Error{Code: EINTERNAL, Key: "error.internal.message", Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorKey returns the message key of the first *Error in err's chain, ""
// for any other error.
func ErrorKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// ErrorField returns the attribute named by a validation error, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Languages are the codes of the languages a user may choose ("EN US",
// "FR FR"): one per messages file of internal/locale; the first is the
// default.
var Languages = locale.Codes()
