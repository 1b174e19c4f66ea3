package appcontent

import (
	"os"
	"sort"
	"testing"
)

// TestListEventFields prints every field of the generated events, by
// sourcetype, when APPCONTENT_FIELDS is set: the list to pick from when
// writing a search.
//
//	APPCONTENT_FIELDS=1 go test -run TestListEventFields -v ./internal/appcontent/
func TestListEventFields(t *testing.T) {
	if os.Getenv("APPCONTENT_FIELDS") == "" {
		t.Skip("set APPCONTENT_FIELDS=1 to list the fields")
	}
	f := generatedEvents(t)
	var sourcetypes []string
	for st := range f {
		sourcetypes = append(sourcetypes, st)
	}
	sort.Strings(sourcetypes)
	for _, st := range sourcetypes {
		for _, name := range keys(f[st]) {
			t.Logf("%s\t%s", st, name)
		}
	}
}
