package appapi

import (
	"errors"
	"fmt"
	"net/http"

	"kycd/internal/gather"
	"kycd/internal/kyc"
)

// update applies update_app_user_profile_v2: profile fields, addresses and documents
// (id_proof_front stages or submits the identity document, id_proof_live adds the selfie,
// address_proof submits the proof of address with the first address). The whole body is decoded
// and checked first (decodeUpdate), then everything is applied in one transaction
// (gather.Service.Apply): a refused part changes nothing. It answers the profile as
// get_app_user_profile_v2 does.
func (h *handler) update(w http.ResponseWriter, r *http.Request, who gather.Who) error {
	raw, err := readBody(w, r, 1<<20)
	if err != nil {
		return err
	}
	in, err := decodeUpdate(raw)
	if err != nil {
		return err
	}
	var u gather.Update
	if in.Profile != nil {
		p := in.Profile.kyc()
		u.Profile = &p
	}
	if len(in.Addresses) > 0 {
		a := in.Addresses[0].kyc()
		u.Address = &a
	}
	for _, doc := range in.Documents {
		st := gather.Step{Slot: doc.Slot}
		switch doc.Slot {
		case gather.SlotFront:
			st.Claim = claimOf("identity-proof", doc.Fields)
		case gather.SlotAddress:
			st.Claim = claimOf("address-proof", doc.Fields)
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
