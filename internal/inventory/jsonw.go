package inventory

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// jsonObject appends one flat JSON object: the events are written by hand
// because a pass encodes hundreds of thousands of them and encoding/json's
// reflection was the largest CPU cost of a pass. Keys are written as given
// (plain ASCII literals); values are escaped.
type jsonObject struct {
	b []byte
}

func newJSONObject(sizeHint int) *jsonObject {
	o := &jsonObject{b: make([]byte, 0, sizeHint)}
	o.b = append(o.b, '{')
	return o
}

func (o *jsonObject) key(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// str writes "k":"v".
func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

// opt writes "k":"v" unless v is empty.
func (o *jsonObject) opt(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

// raw writes "k":v for v already JSON.
func (o *jsonObject) raw(k, v string) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonObject) int(k string, n int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, n, 10)
}

// num writes a float with at most 4 decimals, as the events round them.
func (o *jsonObject) num(k string, f float64) {
	o.key(k)
	o.b = strconv.AppendFloat(o.b, round4(f), 'f', -1, 64)
}

func (o *jsonObject) strs(k string, vs []string) {
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, v)
	}
	o.b = append(o.b, ']')
}

func (o *jsonObject) bytes() []byte { return append(o.b, '}') }

// appendJSONString appends s as a JSON string. Plain printable ASCII is
// copied; anything else goes through encoding/json, which escapes control
// characters and invalid UTF-8 exactly as everywhere else in the app.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// tagsJSON returns the Name tag and every tag as a JSON object with keys
// sorted.
func tagsJSON(tags []types.Tag) (name, obj string) {
	if len(tags) == 0 {
		return "", "{}"
	}
	sorted := slices.Clone(tags)
	slices.SortStableFunc(sorted, func(a, b types.Tag) int { return cmp.Compare(aws.ToString(a.Key), aws.ToString(b.Key)) })
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, t := range sorted {
		k := aws.ToString(t.Key)
		if i > 0 && k == aws.ToString(sorted[i-1].Key) {
			continue // keys are unique on AWS; keep the first if not
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, aws.ToString(t.Value))
		if k == "Name" {
			name = aws.ToString(t.Value)
		}
	}
	b = append(b, '}')
	return name, string(b)
}
