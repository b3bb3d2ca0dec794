package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"kycd/internal/kyc"
)

// Lists page by id, newest first: ids sort by creation time. A cursor is the last id of a page,
// encoded so that clients treat it as opaque. A list in another order (ListPageByKey) pages by
// the columns of that order instead, the id last.

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
	if err != nil || !ok || len(id) < 5 || !cursorID(id) {
		return "", kyc.Invalid("query.cursor", "the cursor is not one that this API returned")
	}
	return id, nil
}

// cursorID says whether s can be an id in a cursor: 1 to 64 ASCII letters, digits, '_' or '-'.
// Anything else (a NUL byte PostgreSQL refuses as text, a quote) never reaches a query.
func cursorID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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

// A keyset cursor (ListPageByKey) holds the last item's values of the columns a list is ordered
// by, and the names of those columns, so that a cursor of one order is refused by another.
type keysetCursor struct {
	Order string `json:"o"`
	Key   []any  `json:"k"`
}

// maxKeysetCursor bounds what decodeKeyset reads: a few ids and numbers, base64-encoded.
const maxKeysetCursor = 1024

// keyNames are the names of order's columns.
func keyNames(order []KeyColumn) []string {
	names := make([]string, len(order))
	for i, c := range order {
		names[i] = c.Name
	}
	return names
}

// orderName names order in its cursors.
func orderName(order []KeyColumn) string { return strings.Join(keyNames(order), ",") }

func encodeKeyset(order []KeyColumn, key []any) string {
	b, err := json.Marshal(keysetCursor{Order: orderName(order), Key: key})
	if err != nil { // an int64 and a string always marshal
		panic(fmt.Sprintf("store: keyset cursor: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(append([]byte("k1:"), b...))
}

// decodeKeyset returns the key after which the page of order starts (nil for the first page):
// one value a column, an int64 for an Int column and an id (cursorID) for the others.
func decodeKeyset(order []KeyColumn, c string) ([]any, error) {
	if c == "" {
		return nil, nil
	}
	refused := kyc.Invalid("query.cursor", "the cursor is not one that this API returned for this order")
	if len(c) > maxKeysetCursor {
		return nil, refused
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	raw, ok := bytes.CutPrefix(b, []byte("k1:"))
	if err != nil || !ok {
		return nil, refused
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var kc keysetCursor
	if err := dec.Decode(&kc); err != nil || kc.Order != orderName(order) || len(kc.Key) != len(order) {
		return nil, refused
	}
	if _, err := dec.Token(); err != io.EOF { // nothing after the object, not even a stray ] or }
		return nil, refused
	}
	key := make([]any, len(order))
	for i, col := range order {
		switch v := kc.Key[i].(type) {
		case json.Number:
			n, err := v.Int64()
			if !col.Int || err != nil {
				return nil, refused
			}
			key[i] = n
		case string:
			if col.Int || !cursorID(v) {
				return nil, refused
			}
			key[i] = v
		default:
			return nil, refused
		}
	}
	return key, nil
}
