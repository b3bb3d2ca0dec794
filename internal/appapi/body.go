package appapi

import (
	"encoding/json"
	"fmt"
	"strings"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

// The bodies of the app endpoints are decoded here, apart from the handlers, so that everything
// a client controls is read and refused before anything is stored, and so that the decoding can
// be fuzzed without a database (fuzz_test.go).

type uploadIn struct {
	FileData *struct {
		Type string `json:"type"`
		File string `json:"file"`
		Ext  string `json:"ext"`
	} `json:"fileData"`
}

// decodeUpload reads a POST /upload-KYC-document body, bare or in its envelope: the slot the file
// fills and the file's base64 text (the part after the first comma of a data URL, or the whole
// value when it is not a data URL). The base64 itself is decoded while spooling. Every refusal is
// a *kyc.ValidationError under "body".
func decodeUpload(raw []byte) (gather.Slot, string, error) {
	body, err := unwrap(raw, "fileData")
	if err != nil {
		return "", "", err
	}
	var in uploadIn
	if err := strictjson.Unmarshal(body, &in); err != nil {
		return "", "", err
	}
	if in.FileData == nil {
		return "", "", kyc.Invalid("body.fileData", "must be an object {type, file, ext}")
	}
	slot := gather.Slot(in.FileData.Type)
	if !slot.Valid() {
		return "", "", kyc.Invalid("body.fileData.type", "must be one of %v", gather.Slots)
	}
	payload := in.FileData.File
	if rest, ok := strings.CutPrefix(payload, "data:"); ok {
		_, payload, ok = strings.Cut(rest, ",")
		if !ok {
			return "", "", kyc.Invalid("body.fileData.file", "must be a base64 data URL: data:<type>;base64,<bytes>")
		}
	}
	if payload == "" {
		return "", "", kyc.Invalid("body.fileData.file", "is required")
	}
	return slot, payload, nil
}

type addressIn struct {
	AddressLine1 string `json:"address_line_1"`
	AddressLine2 string `json:"address_line_2"`
	Building     string `json:"building"`
	City         string `json:"city"`
	State        string `json:"state"`
	ZipCode      string `json:"zip_code"`
	CountryCode  string `json:"country_code"`
	Country      string `json:"country"`
}

type profileIn struct {
	FirstName    string `json:"first_name"`
	MiddleName   string `json:"middle_name"`
	LastName     string `json:"last_name"`
	BirthDate    string `json:"birth_date"`
	Nationality  string `json:"nationality"`
	CountryCode  string `json:"country_code"`
	PhoneNumber  string `json:"phone_number"`
	PhoneISDCode string `json:"phone_isd_code"`
}

type updateIn struct {
	Documents     []map[string]json.RawMessage `json:"documents"`
	UserAddresses []addressIn                  `json:"user_addresses"`
	Profile       *profileIn                   `json:"profile"`
}

// appDoc is one element of documents[]: its slot and its identification_* fields (nil where
// absent or null), keyed by the app's names.
type appDoc struct {
	Slot   gather.Slot
	Fields map[string]*string
}

// updateBody is a decoded update_app_user_profile_v2 body.
type updateBody struct {
	Profile   *profileIn
	Addresses []addressIn
	Documents []appDoc
}

// decodeUpdate reads an update_app_user_profile_v2 body, bare or in its envelope, documents
// included: a document whose type is not one of gather.Slots or whose identification_* field is
// not a string is refused here, before the profile is touched. Every refusal is a
// *kyc.ValidationError under "body".
func decodeUpdate(raw []byte) (updateBody, error) {
	body, err := unwrap(raw, "documents", "user_addresses", "profile")
	if err != nil {
		return updateBody{}, err
	}
	var in updateIn
	if err := strictjson.Unmarshal(body, &in); err != nil {
		return updateBody{}, err
	}
	out := updateBody{Profile: in.Profile, Addresses: in.UserAddresses}
	for i, raw := range in.Documents {
		d, err := decodeAppDocument(raw, i)
		if err != nil {
			return updateBody{}, err
		}
		out.Documents = append(out.Documents, d)
	}
	return out, nil
}

// decodeAppDocument reads one element of documents[]. raw was checked by strictjson already.
func decodeAppDocument(raw map[string]json.RawMessage, i int) (appDoc, error) {
	var typ string
	if err := json.Unmarshal(raw["document_type"], &typ); err != nil || !gather.Slot(typ).Valid() {
		return appDoc{}, kyc.Invalid(fmt.Sprintf("body.documents[%d].document_type", i), "must be one of %v", gather.Slots)
	}
	fields := map[string]*string{}
	for _, f := range appFields {
		v, ok := raw[f.app]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return appDoc{}, kyc.Invalid(fmt.Sprintf("body.documents[%d].%s", i, f.app), "must be a string")
		}
		fields[f.app] = &s
	}
	return appDoc{Slot: gather.Slot(typ), Fields: fields}, nil
}
