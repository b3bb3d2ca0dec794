package store

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"kycd/internal/kyc"
)

// TestKeysetCursors: a keyset cursor reads back as the key it was made of, for its order only;
// anything else a client could send (another order's, values of the wrong type or number, extra
// fields or bytes, oversized) is refused as a field error of query.cursor, not passed to SQL.
func TestKeysetCursors(t *testing.T) {
	t.Parallel()
	order := []KeyColumn{{Name: "priority", Int: true}, {Name: "due_at", Int: true}, {Name: "id"}}
	key := []any{int64(2), int64(1796655182224193), "rvc_01M98FWVWB7637DH2VZE6H5FBB"}
	c := encodeKeyset(order, key)
	if got, err := decodeKeyset(order, c); err != nil || !slices.Equal(got, key) {
		t.Fatalf("decodeKeyset(encodeKeyset(%v)) = %v, %v", key, got, err)
	}
	if got, err := decodeKeyset(order, ""); err != nil || got != nil {
		t.Fatalf("no cursor: %v, %v", got, err)
	}
	forged := func(payload string) string { return base64.RawURLEncoding.EncodeToString([]byte(payload)) }
	for name, bad := range map[string]string{
		"an id cursor":              encodeCursor("rvc_01M98FWVWB7637DH2VZE6H5FBB"),
		"another order's":           encodeKeyset([]KeyColumn{{Name: "created_at", Int: true}, {Name: "due_at", Int: true}, {Name: "id"}}, key),
		"text for an integer":       forged(`k1:{"o":"priority,due_at,id","k":["2",1,"rvc_x"]}`),
		"an integer for text":       forged(`k1:{"o":"priority,due_at,id","k":[2,1,3]}`),
		"a fraction":                forged(`k1:{"o":"priority,due_at,id","k":[1.5,1,"rvc_x"]}`),
		"beyond int64":              forged(`k1:{"o":"priority,due_at,id","k":[99999999999999999999,1,"rvc_x"]}`),
		"a null":                    forged(`k1:{"o":"priority,due_at,id","k":[null,1,"rvc_x"]}`),
		"too few values":            forged(`k1:{"o":"priority,due_at,id","k":[2,1]}`),
		"too many values":           forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_x","more"]}`),
		"empty text":                forged(`k1:{"o":"priority,due_at,id","k":[2,1,""]}`),
		"long text":                 forged(`k1:{"o":"priority,due_at,id","k":[2,1,"` + strings.Repeat("x", 65) + `"]}`),
		"a NUL byte in the id":      forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_\u0000x"]}`),
		"a quote in the id":         forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_'x"]}`),
		"a stray bracket after":     forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_x"]}]`),
		"a stray brace after":       forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_x"]}}`),
		"an unknown field":          forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_x"],"sql":"1=1"}`),
		"bytes after":               forged(`k1:{"o":"priority,due_at,id","k":[2,1,"rvc_x"]}{}`),
		"no prefix":                 forged(`{"o":"priority,due_at,id","k":[2,1,"rvc_x"]}`),
		"not JSON":                  forged(`k1:priority=2`),
		"not base64":                "k1:{}",
		"oversized":                 strings.Repeat("A", maxKeysetCursor+4),
		"an order named by its SQL": forged(`k1:{"o":"priority,due_at,id) OR (1=1","k":[2,1,"rvc_x"]}`),
	} {
		got, err := decodeKeyset(order, bad)
		var ve *kyc.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "query.cursor" {
			t.Errorf("%s: decodeKeyset = %v, %v; want a field error of query.cursor", name, got, err)
		}
	}
	// The id cursor of the other lists refuses ids PostgreSQL could not take as text, or that no
	// list returns, too.
	for name, bad := range map[string]string{
		"a NUL byte": forged("v1:rvc_\x00abc"), "a quote": forged("v1:rvc_'abc"), "too long": forged("v1:" + strings.Repeat("a", 65)),
	} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("%s: an id cursor was accepted", name)
		}
	}
	if id, err := decodeCursor(encodeCursor("rvc_01M98FWVWB7637DH2VZE6H5FBB")); err != nil || id != "rvc_01M98FWVWB7637DH2VZE6H5FBB" {
		t.Fatalf("an id cursor: %q %v", id, err)
	}
}
