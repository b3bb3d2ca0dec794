package store

import (
	"encoding/base64"
	"strings"

	"kycd/internal/kyc"
)

// Lists page by id, newest first: ids sort by creation time. A cursor is the last id of a page,
// encoded so that clients treat it as opaque.

// MaxPageSize bounds every list.
const MaxPageSize = 100

func encodeCursor(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + lastID))
}

// decodeCursor returns the id after which the page starts ("" for the first page).
func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	id, ok := strings.CutPrefix(string(b), "v1:")
	if err != nil || !ok || len(id) < 5 || len(id) > 64 {
		return "", kyc.Invalid("query.cursor", "the cursor is not one that this API returned")
	}
	return id, nil
}

// DefaultPageSize is the page size when the caller names none.
const DefaultPageSize = 20

func pageLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}
