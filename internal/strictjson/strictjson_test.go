package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

type phone struct {
	Number string `json:"number"`
}

type profile struct {
	FirstName string `json:"firstName,omitempty"`
	Phone     *phone `json:"phone,omitempty"`
}

type address struct {
	City string `json:"city"`
}

type input struct {
	ExternalID string            `json:"externalId"`
	Profile    *profile          `json:"profile,omitempty"`
	Addresses  []address         `json:"addresses,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Count      int               `json:"count,omitempty"`
}

// TestRefusals: each hostile body is refused with a validation error naming the field.
func TestRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, field, msg string
	}{
		{"invalid UTF-8", "{\"externalId\":\"a\xffb\"}", "body.externalId", "UTF-8"},
		{"invalid UTF-8 in a name", "{\"ext\xff\":\"a\"}", "body", "UTF-8"},
		{"duplicate name", `{"externalId":"a","externalId":"b"}`, "body.externalId", "more than once"},
		{"duplicate nested name", `{"profile":{"firstName":"a","firstName":"b"}}`, "body.profile.firstName", "more than once"},
		{"case-folded name", `{"profile":{"FIRSTNAME":"a"}}`, "body.profile.FIRSTNAME", "case-sensitive"},
		{"case-folded top name", `{"EXTERNALID":"a"}`, "body.EXTERNALID", "case-sensitive"},
		{"NUL", `{"externalId":"a\u0000b"}`, "body.externalId", "NUL"},
		{"NUL in an array element", `{"addresses":[{"city":"x"},{"city":"\u0000"}]}`, "body.addresses[1].city", "NUL"},
		{"NUL in a map value", `{"metadata":{"k":"\u0000"}}`, "body.metadata.k", "NUL"},
		{"NUL in a name", `{"metadata":{"k\u0000":"v"}}`, "body.metadata", "NUL"},
		{"escape", `{"externalId":"\u001b[31m"}`, "body.externalId", "U+001B"},
		{"wrong type", `{"count":"1"}`, "body.count", "integer"},
		{"wrong nested type", `{"addresses":[{"city":1}]}`, "body.addresses[0].city", "string"},
		{"syntax", `{"externalId":}`, "body.externalId", "not valid JSON"},
		{"truncated", `{"externalId":"a"`, "body", "too early"},
		{"empty", ``, "body", "empty"},
		{"trailing", `{} {}`, "body", "not valid JSON"},
		{"deep", strings.Repeat(`{"metadata":`, 70) + `{}` + strings.Repeat(`}`, 70), "", "deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var in input
			err := strictjson.Unmarshal([]byte(c.body), &in)
			var ve *kyc.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 {
				t.Fatalf("want one field error, got %v", err)
			}
			f := ve.Fields[0]
			if (c.field != "" && f.Field != c.field) || !strings.Contains(f.Message, c.msg) {
				t.Fatalf("got %s: %s; want %s: ...%s...", f.Field, f.Message, c.field, c.msg)
			}
		})
	}
}

// TestAccepts: ordinary JSON decodes as encoding/json would, with tabs and newlines in text,
// unknown members ignored and U+FFFD written as itself kept.
func TestAccepts(t *testing.T) {
	t.Parallel()
	var in input
	body := `{"externalId":"u-1","profile":{"firstName":"Ann\u00e9 \ufffd","phone":{"number":"12"}},"addresses":[{"city":"Line1\nLine2\t"}],"unknown":{"X":[1,2]},"metadata":{"A":"b","a":"c"}}`
	if err := strictjson.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "u-1" || in.Profile.FirstName != "Anné \ufffd" || in.Profile.Phone.Number != "12" || in.Addresses[0].City != "Line1\nLine2\t" || in.Metadata["a"] != "c" {
		t.Fatalf("decoded %+v", in)
	}
	if err := strictjson.Known([]byte(`{"unknown":1}`), &in); err == nil || !strings.Contains(err.Error(), "body.unknown") {
		t.Fatalf("Known accepted an unknown member: %v", err)
	}
	var anything any
	if err := strictjson.Unmarshal([]byte(`{"a":{"B":1,"b":2}}`), &anything); err != nil {
		t.Fatalf("names that differ in case are fine in a free-form object: %v", err)
	}
}
