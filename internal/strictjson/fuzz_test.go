package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

// FuzzUnmarshal: whatever the bytes, the strict decoder does not panic; a refusal is a
// *kyc.ValidationError naming one field under "body"; what it accepts is valid UTF-8 JSON that
// encoding/json reads to the same value, whose strings hold no control other than tab, line feed
// and carriage return.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"u-1","profile":{"firstName":"Anna","phone":{"number":"12"}},"addresses":[{"city":"Bangkok"}]}`,
		`{"a":"a","a":"b"}`, `{"profile":{"FIRSTNAME":"x"}}`, "{\"a\":\"\xff\"}", `{"a":"\u0000"}`, `[1,2.5,true,null,"x\n"]`,
		`{"metadata":{"k":"v"},"count":3}`, `"\ud800"`, `{"a":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in input
		errStruct := strictjson.Unmarshal(data, &in)
		var anything any
		err := strictjson.Unmarshal(data, &anything)
		for _, e := range []error{errStruct, err} {
			if e == nil {
				continue
			}
			var ve *kyc.ValidationError
			if !errors.As(e, &ve) || len(ve.Fields) != 1 || !bytes.HasPrefix([]byte(ve.Fields[0].Field), []byte(strictjson.Root)) {
				t.Fatalf("refusal is not one named field: %v", e)
			}
		}
		if err != nil {
			return
		}
		if !utf8.Valid(data) || !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		var v1 any
		if e := json.Unmarshal(data, &v1); e != nil {
			t.Fatalf("encoding/json refuses what was accepted: %v", e)
		}
		a, _ := json.Marshal(anything)
		b, _ := json.Marshal(v1)
		if !bytes.Equal(a, b) {
			t.Fatalf("decoded differently: %s vs %s", a, b)
		}
		checkStrings(t, anything)
	})
}

func checkStrings(t *testing.T, v any) {
	switch v := v.(type) {
	case string:
		if msg := kyc.TextProblem(v, kyc.Text); msg != "" {
			t.Fatalf("accepted a string that %s", msg)
		}
	case []any:
		for _, e := range v {
			checkStrings(t, e)
		}
	case map[string]any:
		for k, e := range v {
			checkStrings(t, k)
			checkStrings(t, e)
		}
	}
}
