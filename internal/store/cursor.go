package store

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

// A keyset cursor (ListPageByKey) holds the last item's values of the columns a list is ordered
// by, and the names of those columns, so that a cursor of one order is refused by another.
type keysetCursor struct {
	Order string `json:"o"`
	Key   []any  `json:"k"`
}

// maxKeysetCursor bounds what decodeKeyset reads: a few ids and numbers, base64-encoded.
const maxKeysetCursor = 1024

// maxKeyText bounds a text value of a keyset cursor (an id is at most 64 characters).
const maxKeyText = 256

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
// one value a column, an int64 for an Int column and a string for the others.
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
	if err := dec.Decode(&kc); err != nil || dec.More() || kc.Order != orderName(order) || len(kc.Key) != len(order) {
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
			if col.Int || v == "" || len(v) > maxKeyText {
				return nil, refused
			}
			key[i] = v
		default:
			return nil, refused
		}
	}
	return key, nil
}
