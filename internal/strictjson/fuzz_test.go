package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

// FuzzUnmarshal: whatever the bytes, the strict decoder does not panic; a refusal is a
// *kyc.ValidationError naming one field under "body"; what it accepts is valid UTF-8 JSON that
// encoding/json reads to the same value, whose strings hold no control other than tab, line feed
// and carriage return. Decode and Valid agree with Unmarshal, Known accepts only what Unmarshal
// accepts, a struct it fills has no member that matched a field only by ignoring case, and the
// struct encoded again decodes (with Known) to the same struct.
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
		var known input
		errKnown := strictjson.Known(data, &known)
		for _, e := range []error{errStruct, err, errKnown} {
			if e == nil {
				continue
			}
			var ve *kyc.ValidationError
			if !errors.As(e, &ve) || len(ve.Fields) != 1 || !bytes.HasPrefix([]byte(ve.Fields[0].Field), []byte(strictjson.Root)) {
				t.Fatalf("refusal is not one named field: %v", e)
			}
		}
		if strictjson.Valid(data) != (err == nil) {
			t.Fatalf("Valid says %v, Unmarshal %v", strictjson.Valid(data), err)
		}
		var decoded input
		if e := strictjson.Decode(bytes.NewReader(data), &decoded); fmt.Sprint(e) != fmt.Sprint(errStruct) || !reflect.DeepEqual(decoded, in) {
			t.Fatalf("Decode: %+v %v; Unmarshal: %+v %v", decoded, e, in, errStruct)
		}
		if errKnown == nil && (errStruct != nil || !reflect.DeepEqual(known, in)) {
			t.Fatalf("Known accepted %+v, Unmarshal %+v %v", known, in, errStruct)
		}
		if errStruct == nil {
			checkStruct(t, data, in)
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

// inputFields are the member names of input.
var inputFields = []string{"externalId", "profile", "addresses", "metadata", "count"}

// checkStruct: no member of an accepted object matched a field of input only by ignoring case,
// and in encoded again decodes with Known to the same value.
func checkStruct(t *testing.T, data []byte, in input) {
	t.Helper()
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) == nil {
		for k := range top {
			for _, f := range inputFields {
				if strings.EqualFold(k, f) && k != f {
					t.Fatalf("accepted %q for %q", k, f)
				}
			}
		}
	}
	again, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out input
	if err := strictjson.Known(again, &out); err != nil {
		t.Fatalf("%s refused: %v", again, err)
	}
	if b, _ := json.Marshal(out); !bytes.Equal(b, again) {
		t.Fatalf("%s decodes to %s", again, b)
	}
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
