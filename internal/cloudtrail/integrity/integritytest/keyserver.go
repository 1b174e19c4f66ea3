package integritytest

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// KeyServer is a fake CloudTrail endpoint that answers ListPublicKeys (AWS
// JSON 1.1) with the signers' keys, one key per page, and fails every other
// operation. moto has no ListPublicKeys.
type KeyServer struct {
	Signers []*Signer

	mu    sync.Mutex
	calls []KeyCall
}

// KeyCall is one ListPublicKeys request.
type KeyCall struct {
	Start, End time.Time
	NextToken  string
}

// Calls returns the requests so far.
func (s *KeyServer) Calls() []KeyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]KeyCall(nil), s.calls...)
}

func (s *KeyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != "CloudTrail_20131101.ListPublicKeys" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnknownOperationException","message":"fake: only ListPublicKeys"}`))
		return
	}
	var in struct {
		StartTime, EndTime float64
		NextToken          string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"InvalidParameterException","message":"bad JSON"}`))
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, KeyCall{Start: time.Unix(int64(in.StartTime), 0).UTC(), End: time.Unix(int64(in.EndTime), 0).UTC(), NextToken: in.NextToken})
	s.mu.Unlock()
	// One key per page: the client must follow NextToken.
	i := 0
	if in.NextToken != "" {
		for i < len(s.Signers) && s.Signers[i].Fingerprint != in.NextToken {
			i++
		}
	}
	type key struct {
		Value             []byte // base64
		ValidityStartTime float64
		ValidityEndTime   float64
		Fingerprint       string
	}
	var out struct {
		PublicKeyList []key
		NextToken     string `json:",omitempty"`
	}
	out.PublicKeyList = []key{}
	if i < len(s.Signers) {
		k := s.Signers[i]
		out.PublicKeyList = append(out.PublicKeyList, key{Value: k.DER, ValidityStartTime: float64(k.ValidFrom.Unix()),
			ValidityEndTime: float64(k.ValidUntil.Unix()), Fingerprint: k.Fingerprint})
		if i+1 < len(s.Signers) {
			out.NextToken = s.Signers[i+1].Fingerprint
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}
