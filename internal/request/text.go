package request

import (
	"net/url"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// CheckValues returns the error of the first field of values (a form or a
// query string) whose name or value is not text (desk.ValidText), nil when
// all are.
func CheckValues(values url.Values) error {
	for name, vs := range values {
		if !desk.ValidText(name, false) {
			return desk.Invalid("?", "error.not_text", "?")
		}
		for _, v := range vs {
			if err := desk.CheckText(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}
