// Package internal_test holds the rules of kycd's import graph (docs/architecture.md): which
// package may import which. They are read from `go list`, so a new import that breaks one fails
// the suite instead of waiting for a review to notice it.
package internal_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "kycd/"

// graph is every kycd package under cmd and internal with the kycd packages it imports (not its
// tests'), by import path without the "kycd/internal/" prefix ("cmd/kycd" stays "kycd/cmd/kycd").
func graph(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "kycd/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	g := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		var deps []string
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module) {
				deps = append(deps, short(imp))
			}
		}
		g[short(fields[0])] = deps
	}
	if len(g) < 20 {
		t.Fatalf("go list found %d packages: %s", len(g), out)
	}
	return g
}

func short(path string) string { return strings.TrimPrefix(path, module+"internal/") }

// under reports whether pkg is root or one of its subpackages.
func under(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

// domains are the packages that hold kycd's logic, each the owner of one subject.
var domains = []string{"applicant", "auth", "document", "erasure", "file", "gather", "level", "people", "report", "request", "retention", "review", "screening", "share", "verify", "webhook"}

func domainOf(pkg string) string {
	for _, d := range domains {
		if under(pkg, d) {
			return d
		}
	}
	return ""
}

// TestStoreImportsNoDomain: the store keeps persistence only, so it imports no package of kycd but
// the shared vocabulary (kyc); domains import it, never the other way round. The vocabulary
// imports nothing of kycd.
func TestStoreImportsNoDomain(t *testing.T) {
	t.Parallel()
	g := graph(t)
	for _, imp := range g["store"] {
		if imp != "kyc" {
			t.Errorf("store imports %s: the store may import only kyc; a rule it needs is declared as an interface or func in store and given by its caller", imp)
		}
	}
	if imps := g["kyc"]; len(imps) > 0 {
		t.Errorf("kyc imports %v: the vocabulary imports nothing of kycd", imps)
	}
}

// crossDomain are the imports from one domain into another that exist on purpose; any other is
// a domain reaching into another's business, and fails TestDomainsImportOneWay. Add one only
// with a reason.
var crossDomain = map[string][]string{
	// An applicant's creation and profile changes queue their screening (screening.ApplicantArgs).
	"applicant": {"screening"},
	// A document's review advances its KYC request (request.Advance) and queues verification.
	"document": {"request", "verify"},
	// The hosted flow creates applicants and documents through their services.
	"gather": {"applicant", "document"},
	// A review case's reason is the duplicate check that held its document (verify's check names).
	"review": {"verify"},
	// KYC request links are signed applicant tokens.
	"request": {"auth", "level"},
	// Screening holds or releases documents and advances their request; levels say what it needs.
	"screening": {"level", "request"},
	// The engine decides against a level and advances the request a document answers.
	"verify": {"level", "request"},
}

// TestDomainsImportOneWay: a domain imports another only along an edge of crossDomain, and
// webhook, share and file stand alone (they import no other domain).
func TestDomainsImportOneWay(t *testing.T) {
	t.Parallel()
	for pkg, imps := range graph(t) {
		from := domainOf(pkg)
		if from == "" {
			continue
		}
		for _, imp := range imps {
			to := domainOf(imp)
			if to == "" || to == from {
				continue
			}
			if !slices.Contains(crossDomain[from], to) {
				t.Errorf("%s imports %s: domain %s may import only %v of the other domains", pkg, imp, from, crossDomain[from])
			}
		}
	}
}

// transports are the packages that speak HTTP to the outside and the composition root.
var transports = []string{"httpapi", "web", "appapi", "console", "app"}

// TestOnlyTheRootImportsTransports: no domain, and neither the store nor the vocabulary, imports
// a transport or the composition root; the transports are put together in app (and appapi builds
// on httpapi), and only main and the test harness import app.
func TestOnlyTheRootImportsTransports(t *testing.T) {
	t.Parallel()
	allowed := map[string][]string{
		"app":           {"httpapi", "web", "appapi", "console"},
		"appapi":        {"httpapi"},
		"app/apptest":   {"app"},
		"kycd/cmd/kycd": {"app"},
	}
	for pkg, imps := range graph(t) {
		for _, imp := range imps {
			for _, tr := range transports {
				if under(imp, tr) && !under(pkg, tr) && !slices.Contains(allowed[pkg], tr) {
					t.Errorf("%s imports %s: only %v may", pkg, imp, allowedOf(allowed, tr))
				}
			}
		}
	}
}

func allowedOf(allowed map[string][]string, tr string) []string {
	var out []string
	for pkg, trs := range allowed {
		if slices.Contains(trs, tr) {
			out = append(out, pkg)
		}
	}
	slices.Sort(out)
	return out
}
