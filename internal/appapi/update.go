package appapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"kycd/internal/gather"
	"kycd/internal/kyc"
	"kycd/internal/strictjson"
)

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

// update applies update_app_user_profile_v2: profile fields, addresses and documents
// (id_proof_front stages or submits the identity document, id_proof_live adds the selfie,
// address_proof submits the proof of address with the first address), all in one transaction: a
// refused part changes nothing. It answers the profile as get_app_user_profile_v2 does.
func (h *handler) update(w http.ResponseWriter, r *http.Request, who gather.Who) error {
	raw, err := readBody(w, r, 1<<20)
	if err != nil {
		return err
	}
	body, err := unwrap(raw, "documents", "user_addresses", "profile")
	if err != nil {
		return err
	}
	var in updateIn
	if err := strictjson.Unmarshal(body, &in); err != nil {
		return err
	}
	var u gather.Update
	if in.Profile != nil {
		p := in.Profile.kyc()
		u.Profile = &p
	}
	if len(in.UserAddresses) > 0 {
		a := in.UserAddresses[0].kyc()
		u.Address = &a
	}
	for i, raw := range in.Documents {
		typ, fields, err := appDocument(raw, i)
		if err != nil {
			return err
		}
		st := gather.Step{Slot: typ}
		switch typ {
		case gather.SlotFront:
			st.Claim = claimOf("identity-proof", fields)
		case gather.SlotAddress:
			st.Claim = claimOf("address-proof", fields)
		case gather.SlotBack, gather.SlotSelfie:
		default:
			return kyc.Invalid(fmt.Sprintf("body.documents[%d].document_type", i), "must be one of %v", gather.Slots)
		}
		u.Steps = append(u.Steps, st)
	}
	_, _, err = h.d.Gather.Apply(r.Context(), who, u)
	var se *gather.StepError
	if errors.As(err, &se) {
		return relocateAll(se.Err, fmt.Sprintf("body.documents[%d]", se.Index))
	}
	if err != nil {
		return err
	}
	return h.get(w, r, who)
}

// appDocument reads one element of documents[]: its document_type and identification_* fields
// (nil where absent or null).
func appDocument(raw map[string]json.RawMessage, i int) (gather.Slot, map[string]*string, error) {
	var typ string
	if err := json.Unmarshal(raw["document_type"], &typ); err != nil {
		return "", nil, kyc.Invalid(fmt.Sprintf("body.documents[%d].document_type", i), "must be one of %v", gather.Slots)
	}
	fields := map[string]*string{}
	for _, f := range appFields {
		v, ok := raw[f.app]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", nil, kyc.Invalid(fmt.Sprintf("body.documents[%d].%s", i, f.app), "must be a string")
		}
		fields[f.app] = &s
	}
	return gather.Slot(typ), fields, nil
}

func claimOf(docType string, f map[string]*string) gather.Claim {
	get := func(k string) string {
		if v := f[k]; v != nil {
			return *v
		}
		return ""
	}
	return gather.Claim{
		Subtype: subtypeOf(docType, get("identification_type")),
		Identification: kyc.Identification{
			Number: get("identification_value"), ExpiryDate: get("identification_doc_expiry"), IssueDate: get("identification_issuing_date"),
			HolderName: get("identification_doc_holder_name"), IssuingAuthority: get("identification_issuing_authority"),
			IssuingCountry: get("identification_doc_issuance_country"), ReferenceNumber: get("identification_doc_reference_number"),
		},
		AppFields: f,
	}
}

// relocateAll renames kycd's field locations to the app's, under prefix.
func relocateAll(err error, prefix string) error {
	var ve *kyc.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			ve.Fields[i].Field = appLocation(ve.Fields[i].Field, prefix)
		}
	}
	return err
}

func (a addressIn) kyc() kyc.Address {
	country := a.CountryCode
	if country == "" {
		country = a.Country
	}
	return kyc.Address{Line1: a.AddressLine1, Line2: a.AddressLine2, Building: a.Building, City: a.City, State: a.State,
		PostalCode: a.ZipCode, Country: country}
}

func (p profileIn) kyc() kyc.Profile {
	out := kyc.Profile{FirstName: p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName, DateOfBirth: p.BirthDate,
		Nationality: p.Nationality, CountryOfResidence: p.CountryCode}
	if p.PhoneNumber != "" || p.PhoneISDCode != "" {
		out.Phone = &kyc.Phone{CountryCode: p.PhoneISDCode, Number: p.PhoneNumber}
	}
	return out
}
