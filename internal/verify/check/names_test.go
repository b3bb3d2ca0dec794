package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
)

// testNow is the date the tests run at: 2026-06-01, noon UTC.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// assertResult compares a result's name, outcome and reason with what a test wants: want is
// "pass", "skip" or a rejection type (a failure with that reason).
func assertResult(t *testing.T, r Result, name, want string) {
	t.Helper()
	if r.Name != name {
		t.Errorf("Name = %q, want %q", r.Name, name)
	}
	switch want {
	case "pass":
		if r.Failed || r.Skipped {
			t.Errorf("%s: got failed=%v skipped=%v (%s), want passed", name, r.Failed, r.Skipped, r.Detail)
		}
	case "skip":
		if !r.Skipped || r.Failed {
			t.Errorf("%s: got failed=%v skipped=%v (%s), want skipped", name, r.Failed, r.Skipped, r.Detail)
		}
	default:
		if !r.Failed || r.Reason != want {
			t.Errorf("%s: got failed=%v reason=%q (%s), want failed with %q", name, r.Failed, r.Reason, r.Detail, want)
		}
		if r.Detail == "" {
			t.Errorf("%s: a failure without Detail", name)
		}
	}
	if !r.Failed && (r.Reason != "" || r.Decisive || r.Review) {
		t.Errorf("%s: not failed but Reason %q Decisive %v Review %v", name, r.Reason, r.Decisive, r.Review)
	}
}

func TestNamesWeightsAndReasons(t *testing.T) {
	t.Parallel()
	names := Names
	if declared := declaredNames(t); !slices.Equal(declared, names) {
		t.Errorf("Names = %v,\nthe Name constants of names.go are %v", names, declared)
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, n := range names {
		if !kebab.MatchString(n) {
			t.Errorf("%q is not kebab-case", n)
		}
		if seen[n] {
			t.Errorf("%q is used twice", n)
		}
		seen[n] = true
		if w, ok := DefaultWeights[n]; !ok || w <= 0 || w > 100 {
			t.Errorf("DefaultWeights[%q] = %d, %v; want 1-100", n, w, ok)
		}
	}
	if len(DefaultWeights) != len(names) {
		t.Errorf("DefaultWeights has %d entries, want %d", len(DefaultWeights), len(names))
	}
	for _, r := range []string{ReasonUnreadable, ReasonExpired, ReasonNotMatching, ReasonInvalid, ReasonUnderage,
		ReasonThirdParty, ReasonExpiryMissing, ReasonDOBMismatch, ReasonNameMismatch, ReasonCriticalMissing} {
		if !slices.Contains(kyc.RejectionTypes, r) {
			t.Errorf("reason %q is not in kyc.RejectionTypes", r)
		}
	}
}

// declaredNames returns the values of the constants whose names start with "Name" in names.go,
// in their order there.
func declaredNames(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "names.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if strings.HasPrefix(n.Name, "Name") {
					v, _ := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					values = append(values, v)
				}
			}
		}
	}
	return values
}
