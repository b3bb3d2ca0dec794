package level

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var checks = Known{Checks: []string{"name-match", "date-of-birth-valid"}, FieldPaths: func(paths []string) error {
	for _, p := range paths {
		if p == "profile.shoeSize" {
			return errors.New("unknown field path profile.shoeSize")
		}
	}
	return nil
}}

func write(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "levels.json")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadChangesAndAddsLevels(t *testing.T) {
	t.Parallel()
	set, err := Load(write(t, `{"levels": [
  {"name": "L1", "acceptAbove": 85, "weights": {"name-match": 40}},
  {"name": "EU-L1", "base": "L2", "minAgeByCountry": {"DE": 16}, "nationalityMatch": true}
]}`), checks)
	if err != nil {
		t.Fatal(err)
	}
	l1, _ := set.Get("L1")
	if l1.AcceptAbove != 85 || l1.RejectBelow != 50 || l1.Weight("name-match", 10) != 40 || l1.MinAgeFor("US") != 21 {
		t.Fatalf("L1 = %+v", l1)
	}
	if l1.Version == Builtin()["L1"].Version {
		t.Fatal("a changed level kept its version")
	}
	eu, ok := set.Get("EU-L1")
	if !ok || len(eu.Documents) != 3 || eu.MinAgeFor("DE") != 16 || eu.MinAgeFor("FR") != 18 || !eu.NationalityMatch {
		t.Fatalf("EU-L1 = %+v", eu)
	}
	if b := Builtin()["L1"]; b.Version != Builtin()["L1"].Version || b.Version == "" {
		t.Fatal("versions are not stable")
	}
}

func TestLoadNamesTheBadLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, file, want string }{
		{"syntax", "{\"levels\": [\n  {\"name\": \"L1\",\n   \"acceptAbove\": 85,,\n  }\n]}", ":3:"},
		{"unknown field", "{\"levels\": [\n  {\"name\": \"L1\"},\n  {\"name\": \"X\",\n   \"acceptAbov\": 85}\n]}", ":4: level X: unknown field"},
		{"unknown check", "{\"levels\": [\n\n  {\"name\": \"L1\", \"weights\": {\"nope\": 5}}\n]}", `:3: level L1: weight for unknown check "nope"`},
		{"thresholds", "{\"levels\": [\n  {\"name\": \"L1\", \"acceptAbove\": 40, \"rejectBelow\": 60}\n]}", ":2: level L1: thresholds"},
		{"unknown document type", "{\"levels\": [{\"name\": \"L9\", \"documents\": [\"selfie\"]}]}", `:1: level L9: unknown document type "selfie"`},
		{"wrong shape", "[1, 2]", ":1:"},
		{"unknown field path", "{\"levels\": [\n{\"name\": \"L1\", \"requiredFields\": [\"profile.shoeSize\"]}]}", ":2: level L1: requiredFields: unknown field path"},
		{"unknown base", "{\"levels\": [{\"name\": \"L9\", \"base\": \"L7\"}]}", `unknown base level "L7"`},
	}
	for _, tt := range tests {
		_, err := Load(write(t, tt.file), checks)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
