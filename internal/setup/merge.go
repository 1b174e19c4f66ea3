package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// mergePolicy puts ours into the policy document existing (JSON, or empty
// for none): a statement of existing with the Sid of one of ours is replaced
// in place, the others are kept, and ours that were missing are appended.
// It returns the document to store and whether it differs in meaning from
// existing (AWS may reformat a stored policy, so bytes are not compared).
func mergePolicy(existing string, ours []Statement) (string, bool, error) {
	if existing == "" {
		return Document{Version: policyVersion, Statement: ours}.Compact(), true, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(existing), &doc); err != nil {
		return "", false, fmt.Errorf("existing policy is not JSON: %w", err)
	}
	var old []json.RawMessage
	if raw := bytes.TrimSpace(doc["Statement"]); len(raw) > 0 && raw[0] == '{' {
		old = []json.RawMessage{raw}
	} else if len(raw) > 0 {
		if err := json.Unmarshal(raw, &old); err != nil {
			return "", false, fmt.Errorf("existing policy's Statement: %w", err)
		}
	}
	bySid := map[string]Statement{}
	for _, s := range ours {
		bySid[s.Sid] = s
	}
	placed := map[string]bool{}
	var merged []any
	for _, raw := range old {
		var id struct{ Sid string }
		_ = json.Unmarshal(raw, &id)
		s, mine := bySid[id.Sid]
		switch {
		case !mine:
			merged = append(merged, raw)
		case !placed[id.Sid]:
			merged = append(merged, s)
			placed[id.Sid] = true
		}
	}
	for _, s := range ours {
		if !placed[s.Sid] {
			merged = append(merged, s)
		}
	}
	out := map[string]any{"Statement": merged}
	for k, v := range doc {
		if k != "Statement" {
			out[k] = v
		}
	}
	if _, ok := out["Version"]; !ok {
		out["Version"] = policyVersion
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return "", false, err
	}
	next := string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	same, err := samePolicy(existing, next)
	if err != nil {
		return "", false, err
	}
	if same {
		return existing, false, nil
	}
	return next, true, nil
}

// samePolicy reports whether two policy documents mean the same, ignoring
// formatting, key order and one-element lists written as scalars.
func samePolicy(a, b string) (bool, error) {
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		return false, err
	}
	return reflect.DeepEqual(normalize(va), normalize(vb)), nil
}

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case []any:
		if len(v) == 1 {
			return normalize(v[0])
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	case float64:
		// AWS returns some numbers as strings ("maxReceiveCount":"5").
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return v
}
