package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ctidesk/ctidesk/internal/oql"
)

// Marshal writes the whole configuration as YAML, every section present:
// what is in force once the defaults, the file and the environment are
// merged. Parse reads it back to an equal Config.
func (c *Config) Marshal() ([]byte, error) {
	root := mappingNode()
	add := func(key string, v *yaml.Node) { root.Content = append(root.Content, strNode(key), v) }

	add("server", pairs(
		"address", strNode(c.Server.Address),
		"database", strNode(c.Server.Database),
		"session_secret", strNode(c.Server.SessionSecret),
		"default_language", strNode(c.Server.DefaultLanguage),
	))
	add("phone", pairs(
		"default_region", strNode(c.Phone.DefaultRegion),
		"min_match_digits", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(c.Phone.MinMatchDigits)},
		"link", strNode(c.Phone.Link),
	))
	add("calls", pairs("stale_after", strNode(staleAfterText(c.Calls.StaleAfter))))
	add("url_parameters", urlParamsNode(c.URLParameters))
	add("lookup_order", flowList(c.LookupOrder))

	ci := textPairs(mappingNode(), c.CallerInformation.Label)
	if c.CallerInformation.Query != nil { // none: the built-in lookup
		ci.Content = append(ci.Content, strNode("query"), queryNode(c.CallerInformation.Query))
	}
	ci.Content = append(ci.Content, strNode("display_name"), flowList(c.CallerInformation.DisplayName))
	add("caller_information", ci)

	add("direct_creation", creationsNode(c.DirectCreation))
	add("indirect_creation", creationsNode(c.IndirectCreation))

	sequence := true
	for i, l := range c.DisplayTickets.Lists {
		sequence = sequence && l.Name == strconv.Itoa(i)
	}
	lists := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if !sequence {
		lists = mappingNode()
	}
	for _, l := range c.DisplayTickets.Lists {
		entry := textPairs(pairs("enabled", boolNode(l.Enabled)), l.Label)
		entry.Content = append(entry.Content, strNode("query"), queryNode(l.Query))
		if sequence {
			lists.Content = append(lists.Content, entry)
		} else {
			lists.Content = append(lists.Content, strNode(l.Name), entry)
		}
	}
	add("display_tickets", pairs("lists", lists))

	if c.ECall != nil {
		add("ecall_parameters", pairs("url", strNode(c.ECall.URL), "url_parameters", urlParamsNode(c.ECall.URLParameters)))
	}

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	return spaceSections(buf.Bytes()), nil
}

// staleAfterText writes a duration as calls.stale_after reads it, without
// Go's trailing zero units (4h rather than 4h0m0s).
func staleAfterText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// spaceSections puts an empty line before each top-level key of YAML text
// and before the comment that heads it, for the eye.
func spaceSections(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	for i, l := range lines {
		topLevel := len(l) > 0 && l[0] != ' ' && l[0] != '-' && l[0] != '\n'
		if i > 0 && topLevel {
			prev := lines[i-1]
			if len(prev) > 0 && prev[0] != '\n' && !(prev[0] == '#') {
				out.WriteByte('\n')
			}
		}
		out.Write(l)
	}
	return out.Bytes()
}

func mappingNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// pairs returns a mapping of keys and values, alternating.
func pairs(kv ...any) *yaml.Node {
	m := mappingNode()
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, strNode(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}

func flowList(names []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, s := range names {
		n.Content = append(n.Content, strNode(s))
	}
	return n
}

func queryNode(q *oql.Query) *yaml.Node {
	if q == nil {
		return strNode("")
	}
	return strNode(q.Text())
}

func textPairs(m *yaml.Node, t Text) *yaml.Node {
	m.Content = append(m.Content, strNode("label"), strNode(t.Default))
	for _, tr := range t.Translations {
		m.Content = append(m.Content, strNode("label/"+tr.Language), strNode(tr.Text))
	}
	return m
}

func urlParamsNode(params []URLParameter) *yaml.Node {
	m := mappingNode()
	for _, p := range params {
		m.Content = append(m.Content, strNode(p.Name), strNode(p.Attribute))
	}
	return m
}

func creationsNode(creations []Creation) *yaml.Node {
	m := mappingNode()
	for _, c := range creations {
		preset := mappingNode()
		for _, p := range c.Preset {
			v := p.Value
			if p.Kind == PresetParam {
				v = ":" + v
			}
			preset.Content = append(preset.Content, strNode(p.Attribute), strNode(v))
		}
		m.Content = append(m.Content, strNode(c.Class), pairs("enabled", boolNode(c.Enabled), "preset", preset))
	}
	return m
}
