package auth

import (
	"fmt"
	"slices"
	"strings"

	"kycd/internal/kyc"
)

// Resources are what an API key's scopes name: the /v1 resources, each read or written as a whole,
// and exports: an applicant's whole file (its documents, files, screenings, events...) in one
// answer, which a key reading applicants alone does not get.
var Resources = []string{"applicants", "files", "kyc-documents", "kyc-requests", "screenings", "shares", "webhooks", "events", "exports", "api-keys"}

// Scope access levels. Write includes read.
const (
	Read  = "read"
	Write = "write"
)

// DefaultScopes are a new key's scopes when none are given: read and write every resource but the
// API keys.
var DefaultScopes = []string{Read, Write}

// ParseScopes checks and normalises scopes: "read" or "write" (every resource but api-keys), or
// "<resource>:read" or "<resource>:write" for one of Resources. Managing API keys needs
// "api-keys:read" or "api-keys:write" by name, so a key made for an integration cannot make keys.
// The result is sorted and without repeats; an empty list is refused.
func ParseScopes(scopes []string) ([]string, error) {
	var out []string
	for _, s := range scopes {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		res, access, ok := strings.Cut(s, ":")
		if !ok {
			res, access = "", s
		}
		if access != Read && access != Write || ok && !slices.Contains(Resources, res) {
			return nil, kyc.Invalid("scopes", "%q is not a scope: use read, write, or <resource>:read or <resource>:write with a resource of %v", s, Resources)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, kyc.Invalid("scopes", "at least one scope is needed")
	}
	slices.Sort(out)
	return out, nil
}

// Allows reports whether k's scopes grant access (Read or Write) to resource.
func (k Key) Allows(resource, access string) bool { return allows(k.Scopes, resource, access) }

func allows(scopes []string, resource, access string) bool {
	for _, s := range scopes {
		res, a, ok := strings.Cut(s, ":")
		if !ok {
			res, a = "", s
		}
		if (ok && res == resource || !ok && resource != "api-keys") && (a == access || a == Write) {
			return true
		}
	}
	return false
}

// Covers reports whether scopes have grant everything want grants, so that a key never makes a
// key that can do more than itself.
func Covers(have, want []string) bool {
	for _, w := range want {
		res, a, ok := strings.Cut(w, ":")
		targets := []string{res}
		if !ok {
			a, targets = w, slices.DeleteFunc(slices.Clone(Resources), func(r string) bool { return r == "api-keys" })
		}
		for _, r := range targets {
			if !allows(have, r, a) {
				return false
			}
		}
	}
	return true
}

// ScopeError says which scope a call needs; it is kyc.ErrForbidden.
func ScopeError(resource, access string) error {
	return fmt.Errorf("this API key lacks the scope %s:%s (or %s): %w", resource, access, access, kyc.ErrForbidden)
}
