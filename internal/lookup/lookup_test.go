package lookup

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMergeAccountNamesKeepsPeoplesRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accountNames.csv")
	handMade := "accountId,accountName,owner\n210987654321,Sandbox (renamed by ops),alice\n999999999999,Gone but kept,bob\n"
	if err := os.WriteFile(path, []byte(handMade), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := MergeAccountNames(path, map[string]string{"210987654321": "sandbox", "123456789012": "production"})
	if err != nil {
		t.Fatal(err)
	}
	want := "accountId,accountName,owner\n123456789012,production,\n210987654321,Sandbox (renamed by ops),alice\n999999999999,Gone but kept,bob\n"
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("file =\n%s\nwant\n%s", b, want)
	}
	if got["210987654321"] != "Sandbox (renamed by ops)" || got["123456789012"] != "production" || len(got) != 3 {
		t.Errorf("merged = %v", got)
	}
}

func TestMergeAccountNamesCreatesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accountNames.csv")
	if _, err := MergeAccountNames(path, map[string]string{"123456789012": "prod, main"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "accountId,accountName\n123456789012,\"prod, main\"\n" {
		t.Errorf("file = %q", b)
	}
}

func TestMergeAccountNamesRejectsAForeignHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accountNames.csv")
	_ = os.WriteFile(path, []byte("id,name\n1,x\n"), 0o644)
	if _, err := MergeAccountNames(path, map[string]string{"123456789012": "p"}); err == nil {
		t.Error("no error for a header without accountId/accountName")
	}
	if b, _ := os.ReadFile(path); string(b) != "id,name\n1,x\n" {
		t.Errorf("file changed: %q", b)
	}
}
