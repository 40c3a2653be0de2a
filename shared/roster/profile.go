package roster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Profile holds a participant's answers by question key. Values are typed:
// string (text, email, single choice, ISO date), json.Number (number), bool
// (boolean) and []string (multi choice, canonical options). A cleared answer
// is absent.
type Profile map[string]any

// UnmarshalJSON decodes answers into the canonical Go types above, so that a
// profile read back from a store compares equal to the one written.
func (p *Profile) UnmarshalJSON(b []byte) error {
	m, err := decodeAnswers(b, false)
	*p = m
	return err
}

// Answers are a record's parsed answers by question key; a nil value is an
// empty cell (A4 leaves the answer, A5 clears it).
type Answers map[string]any

// UnmarshalJSON decodes like Profile but keeps empty cells as nil entries.
func (a *Answers) UnmarshalJSON(b []byte) error {
	m, err := decodeAnswers(b, true)
	*a = Answers(m)
	return err
}

// decodeAnswers decodes in one pass; values of other shapes (an object, a
// list of non-strings) take answerByAnswer's way, which decides each alone.
func decodeAnswers(b []byte, keepNull bool) (map[string]any, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || d.More() {
		return answerByAnswer(b, keepNull)
	}
	if m == nil {
		return nil, nil
	}
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			if !keepNull {
				delete(m, k)
			}
		case string, json.Number, bool:
		case []any:
			ss := make([]string, len(v))
			for i, e := range v {
				s, ok := e.(string)
				if !ok {
					return answerByAnswer(b, keepNull)
				}
				ss[i] = s
			}
			m[k] = ss
		default:
			return answerByAnswer(b, keepNull)
		}
	}
	return m, nil
}

func answerByAnswer(b []byte, keepNull bool) (map[string]any, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		if len(v) == 0 || string(v) == "null" {
			if keepNull {
				out[k] = nil
			}
			continue
		}
		var val any
		switch v[0] {
		case '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("answer %q: %w", k, err)
			}
			val = s
		case '[':
			var ss []string
			if err := json.Unmarshal(v, &ss); err != nil {
				return nil, fmt.Errorf("answer %q: %w", k, err)
			}
			val = ss
		case 't', 'f':
			val = v[0] == 't'
		default:
			val = json.Number(v)
		}
		out[k] = val
	}
	return out, nil
}

// AnswerEqual reports whether two answers are the same.
func AnswerEqual(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, ok := b.([]string)
		return ok && slices.Equal(as, bs)
	}
	if _, ok := b.([]string); ok {
		return false
	}
	return a == b
}
