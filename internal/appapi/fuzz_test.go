package appapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"kycd/internal/kyc"
)

// checkRefusal fails unless err is a *kyc.ValidationError whose every field is under "body".
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) == 0 {
		t.Fatalf("refusal is not a validation error: %v", err)
	}
	for _, f := range ve.Fields {
		if f.Field != "body" && !strings.HasPrefix(f.Field, "body.") && !strings.HasPrefix(f.Field, "body[") {
			t.Fatalf("refusal names %q, not a body field", f.Field)
		}
	}
}

// checkText fails when a string the decoder accepted breaks kyc.Text (UTF-8, no NUL or controls).
func checkText(t *testing.T, what string, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if msg := kyc.TextProblem(s, kyc.Text); msg != "" {
			t.Fatalf("accepted %s that %s: %q", what, msg, s)
		}
	}
}

// FuzzUploadBody: whatever the body of POST /upload-KYC-document, decodeUpload does not panic and
// refuses only with a validation error on a body field; what it accepts names a valid slot and a
// non-empty payload of valid text that is the tail of the body's file, and the same slot and
// payload sent back as a data URL, bare or in the envelope, decode to the same.
func FuzzUploadBody(f *testing.F) {
	for _, s := range []string{
		`{"fileData":{"type":"id_proof_front","file":"data:image/png;base64,iVBORw0KGgo=","ext":"png"}}`,
		`{"data":{"fileData":{"type":"id_proof_live","file":"/9j/4AAQ","ext":"jpg"}},"method":"POST","endpoint":"/upload-KYC-document","headers":{}}`,
		`{"fileData":{"type":"address_proof","file":"data:application/pdf,JVBERi0=","ext":"pdf"}}`,
		`{"fileData":{"type":"id_proof_front","type":"id_proof_live","file":"data:image/png;base64,AAAA"}}`,
		`{"fileData":{"type":"selfie","file":"data:image/png;base64"}}`,
		`{"FILEDATA":{"type":"id_proof_front","file":"AAAA"}}`,
		`{"fileData":null}`, `{"data":"x","fileData":{}}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		slot, payload, err := decodeUpload(raw)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if !slot.Valid() || payload == "" {
			t.Fatalf("accepted slot %q with payload %q", slot, payload)
		}
		checkText(t, "a payload", payload)
		if !strings.Contains(string(raw), "fileData") {
			t.Fatalf("accepted a body without fileData: %q", raw)
		}
		file := map[string]any{"type": string(slot), "file": "data:image/png;base64," + payload}
		bare, _ := json.Marshal(map[string]any{"fileData": file})
		wrapped, _ := json.Marshal(map[string]any{"data": map[string]any{"fileData": file}, "method": "POST"})
		for _, b := range [][]byte{bare, wrapped} {
			s2, p2, err := decodeUpload(b)
			if err != nil || s2 != slot || p2 != payload {
				t.Fatalf("%s decodes to %q %q %v, not %q %q", b, s2, p2, err, slot, payload)
			}
		}
	})
}

// FuzzUpdateBody: whatever the body of update_app_user_profile_v2, decodeUpdate does not panic and
// refuses only with a validation error on a body field; what it accepts has documents of valid
// slots only and every string in it is valid text (kyc.Text), and it survives a round trip: the
// decoded value encoded again, bare or in the envelope, decodes to the same value.
func FuzzUpdateBody(f *testing.F) {
	for _, s := range []string{
		`{"documents":[{"document_type":"id_proof_front","identification_type":"Passport","identification_value":"L898902C3","identification_doc_expiry":"2031-04-15","identification_issuing_date":null}],"user_addresses":[],"profile":{"first_name":"Anna","last_name":"Eriksson","birth_date":"1974-08-12","nationality":"UT","country_code":"UT","phone_number":"5550100","phone_isd_code":"+1"}}`,
		`{"data":{"documents":[{"document_type":"id_proof_live"}],"user_addresses":[]},"method":"POST","endpoint":"/update_app_user_profile_v2","headers":{}}`,
		`{"documents":[{"document_type":"address_proof","identification_type":"Electricity bill"}],"user_addresses":[{"address_line_1":"1 Main St","city":"Springfield","zip_code":"12345","country":"UT"}]}`,
		`{"documents":[{"document_type":"passport"}]}`,
		`{"documents":[{"document_type":"id_proof_front","identification_value":7}]}`,
		`{"profile":{"first_name":"Anna","first_name":"Mallory"}}`,
		`{"profile":{"FIRST_NAME":"Mallory"}}`,
		`{"profile":{"last_name":"A\u0000"}}`,
		`{"profile":{"last_name":"A\u202eB"}}`,
		`{"data":{"profile":{}},"data":{"profile":{"first_name":"M"}}}`,
		"{\"profile\":{\"first_name\":\"\xff\"}}",
		`{"documents":null,"profile":null}`, `{}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := decodeUpdate(raw)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if p := in.Profile; p != nil {
			checkText(t, "a profile field", p.FirstName, p.MiddleName, p.LastName, p.BirthDate, p.Nationality, p.CountryCode,
				p.PhoneNumber, p.PhoneISDCode)
		}
		for _, a := range in.Addresses {
			checkText(t, "an address field", a.AddressLine1, a.AddressLine2, a.Building, a.City, a.State, a.ZipCode,
				a.CountryCode, a.Country)
		}
		for _, d := range in.Documents {
			if !d.Slot.Valid() {
				t.Fatalf("accepted a document of type %q", d.Slot)
			}
			for k, v := range d.Fields {
				if v == nil {
					t.Fatalf("accepted a nil %s", k)
				}
				checkText(t, "a document field", k, *v)
			}
		}
		body := encodeUpdate(in)
		bare, _ := json.Marshal(body)
		wrapped, _ := json.Marshal(map[string]any{"data": body, "method": "POST"})
		for _, b := range [][]byte{bare, wrapped} {
			again, err := decodeUpdate(b)
			if err != nil || !reflect.DeepEqual(normal(again), normal(in)) {
				t.Fatalf("%s decodes to %+v %v, not %+v", b, again, err, in)
			}
		}
	})
}

// encodeUpdate is the app's JSON for a decoded body: what a client would send to mean it.
func encodeUpdate(in updateBody) map[string]any {
	docs := make([]map[string]any, 0, len(in.Documents))
	for _, d := range in.Documents {
		m := map[string]any{"document_type": string(d.Slot)}
		for k, v := range d.Fields {
			m[k] = *v
		}
		docs = append(docs, m)
	}
	body := map[string]any{"documents": docs, "user_addresses": in.Addresses}
	if in.Profile != nil {
		body["profile"] = in.Profile
	}
	return body
}

// normal makes an empty and a nil list of documents or addresses compare equal.
func normal(in updateBody) updateBody {
	if len(in.Documents) == 0 {
		in.Documents = nil
	}
	if len(in.Addresses) == 0 {
		in.Addresses = nil
	}
	return in
}
