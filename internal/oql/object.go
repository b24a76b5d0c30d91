package oql

import (
	"fmt"
	"time"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// Width returns the number of columns of the statement's rows.
func (s *Statement) Width() int {
	n := 2 + len(s.Columns)
	if hasKind(s.class) {
		n++
	}
	if s.total {
		n++
	}
	return n
}

// Total returns the number of objects the query finds in all, from one of
// its rows (scanned as for Object), or -1 when it was compiled without
// Env.Total and a Limit.
func (s *Statement) Total(values []any) int {
	if !s.total || len(values) != s.Width() {
		return -1
	}
	n, ok := intValue(values[len(values)-1])
	if !ok {
		return -1
	}
	return int(n)
}

// Object returns the object of one row, scanned into values as the driver
// gives them (Width of them): numbers become int64, dates time.Time, unset
// values nil, and the attributes the object's kind lacks are left out.
func (s *Statement) Object(values []any) (*desk.Object, error) {
	if len(values) != s.Width() {
		return nil, fmt.Errorf("oql: row of %d columns, want %d", len(values), s.Width())
	}
	id, ok := intValue(values[0])
	if !ok {
		return nil, fmt.Errorf("oql: id %v is not a number", values[0])
	}
	o := &desk.Object{Class: s.class.Name, ID: id, FriendlyName: stringValue(values[1])}
	if hasKind(s.class) {
		o.Class = stringValue(values[2+len(s.Columns)])
	}
	kind, _ := desk.FindClass(o.Class)
	for i, attr := range s.Columns {
		if kind != nil {
			if _, ok := kind.Attribute(attr.Name); !ok {
				continue
			}
		}
		o.Values = append(o.Values, desk.ObjectValue{Attribute: attr.Name, Value: typed(attr, values[2+i])})
	}
	return o, nil
}

// typed converts a driver value to the Go type of attr's values.
func typed(attr desk.Attribute, v any) any {
	if v == nil {
		return nil
	}
	switch attr.Type {
	case desk.TypeID, desk.TypeExtKey, desk.TypeInt:
		n, ok := intValue(v)
		if !ok {
			return nil
		}
		if attr.Type == desk.TypeExtKey && n == 0 {
			return nil
		}
		return n
	case desk.TypeDateTime:
		switch t := v.(type) {
		case time.Time:
			return t.UTC()
		case string:
			if tm, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", t); err == nil {
				return tm.UTC()
			}
			if tm, ok := ParseTime(t); ok {
				return tm
			}
		}
		return nil
	}
	return stringValue(v)
}

func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

func stringValue(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case []byte:
		return string(s)
	}
	return fmt.Sprint(v)
}
