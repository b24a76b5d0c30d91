package pbx

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// The Asterisk Manager Interface (AMI) protocol: messages of "Key: Value"
// lines ended by an empty line, actions written the same way.

// Message is one AMI message: its "Key: Value" lines, keys in lower case.
type Message map[string]string

// Get returns the value of key, whatever its case.
func (m Message) Get(key string) string { return m[strings.ToLower(key)] }

// Limits of an AMI message, against a peer that never ends one.
const (
	maxAMILine   = 16 << 10
	maxAMIFields = 512
)

// ReadMessage reads one message: lines up to an empty line. Lines that are
// not "Key: Value" (the output of a command) are skipped.
func ReadMessage(r *bufio.Reader) (Message, error) {
	m := Message{}
	for n := 0; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxAMILine {
			return nil, errors.New("ami: line too long")
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(m) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			if len(m) == 0 {
				continue // stray empty lines between messages
			}
			return m, nil
		}
		if n >= maxAMIFields {
			return nil, errors.New("ami: message too long")
		}
		if k, v, ok := strings.Cut(s, ":"); ok {
			m[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
}

// WriteAction writes an action: its key and value pairs, in order.
func WriteAction(w io.Writer, pairs ...string) error {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		// A line break inside a value would start another field.
		v := strings.NewReplacer("\r", "", "\n", "").Replace(pairs[i+1])
		b.WriteString(pairs[i] + ": " + v + "\r\n")
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}
