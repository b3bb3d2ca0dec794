package verify

import (
	"context"

	"kycd/internal/store"
)

// runChecks runs every check the document's type and level call for. It returns the findings, what
// the checks read (parsedData) and the fingerprints to store for duplicate detection.
func (e *Engine) runChecks(ctx context.Context, in *input) ([]finding, map[string]any, []store.Fingerprint) {
	var fs []finding
	parsed := map[string]any{}
	var prints []store.Fingerprint
	fs = append(fs, e.duplicateChecks(ctx, in, parsed, &prints)...)
	return fs, parsed, prints
}

// CheckNames lists every check the engine runs, the names a level's weights may use.
func CheckNames() []string {
	return []string{CheckDuplicateNumber, CheckDuplicateFile, CheckDuplicateImage}
}
