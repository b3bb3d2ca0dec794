package appapi

import (
	"context"
	"strings"

	"kycd/internal/gather"
	"kycd/internal/kyc"
)

// timeLayout is the app's timestamp form: 2022-06-21T07:56:25.002872+00:00.
const timeLayout = "2006-01-02T15:04:05.999999-07:00"

type profileView struct {
	Profile   profileOut    `json:"profile"`
	Documents []documentRow `json:"documents"`
	KYCStatus struct {
		Status string `json:"status"`
	} `json:"kyc_status"`
}

type profileOut struct {
	AccessID     string       `json:"access_id"`
	Addresses    []addressOut `json:"addresses,omitempty"`
	LastName     string       `json:"last_name"`
	BirthDate    string       `json:"birth_date"`
	FirstName    string       `json:"first_name"`
	KYCStatus    string       `json:"kyc_status"`
	UpdatedBy    *string      `json:"updated_by"`
	MiddleName   string       `json:"middle_name"`
	Nationality  string       `json:"nationality"`
	CountryCode  string       `json:"country_code"`
	PhoneNumber  string       `json:"phone_number"`
	FailedReason *string      `json:"failed_reason"`
	PhoneISDCode string       `json:"phone_isd_code"`
}

type addressOut struct {
	City         string  `json:"city"`
	State        string  `json:"state"`
	Building     string  `json:"building"`
	ZipCode      string  `json:"zip_code"`
	AccessID     string  `json:"access_id"`
	KYCStatus    string  `json:"kyc_status"`
	UpdatedBy    *string `json:"updated_by"`
	AddressType  string  `json:"address_type"`
	CountryCode  string  `json:"country_code"`
	WhenCreated  string  `json:"when_created"`
	FailedReason *string `json:"failed_reason"`
	AddressLine1 string  `json:"address_line_1"`
	AddressLine2 string  `json:"address_line_2"`
}

type documentRow struct {
	AccessID                         string  `json:"access_id"`
	KYCStatus                        string  `json:"kyc_status"`
	WhenCreated                      string  `json:"when_created"`
	DocumentType                     string  `json:"document_type"`
	FailedReason                     *string `json:"failed_reason"`
	DocumentFileName                 string  `json:"document_file_name"`
	DocumentMIMEType                 string  `json:"document_mime_type"`
	DocumentReference                string  `json:"document_reference"`
	IdentificationType               *string `json:"identification_type"`
	IdentificationValue              *string `json:"identification_value"`
	IdentificationDocExpiry          *string `json:"identification_doc_expiry"`
	IdentificationIssuingDate        *string `json:"identification_issuing_date"`
	IdentificationDocHolderName      *string `json:"identification_doc_holder_name"`
	IdentificationIssuingAuthority   *string `json:"identification_issuing_authority"`
	IdentificationDocIssuanceCountry *string `json:"identification_doc_issuance_country"`
	IdentificationDocReferenceNumber *string `json:"identification_doc_reference_number"`
}

// setFile fills the file's name, type, reference and time: the name is the slot and the applicant
// with the extension of the sniffed type, as the app backend named them.
func (row *documentRow) setFile(f kyc.File) {
	ext := "bin"
	if f.MIME == "image/jpeg" {
		ext = "jpg"
	} else if _, sub, ok := strings.Cut(f.MIME, "/"); ok {
		ext = sub // png, webp, heic, pdf
	}
	row.DocumentFileName = row.DocumentType + "_" + row.AccessID + "." + ext
	row.DocumentMIMEType = f.MIME
	row.DocumentReference = "kycd/v1/" + row.AccessID + "/" + f.ID + "." + ext
	row.WhenCreated = f.CreatedTime.UTC().Format(timeLayout)
}

func (row *documentRow) setClaim(c *gather.Claim) {
	if c == nil {
		return
	}
	f := c.AppFields
	row.IdentificationType = f["identification_type"]
	row.IdentificationValue = f["identification_value"]
	row.IdentificationDocExpiry = f["identification_doc_expiry"]
	row.IdentificationIssuingDate = f["identification_issuing_date"]
	row.IdentificationDocHolderName = f["identification_doc_holder_name"]
	row.IdentificationIssuingAuthority = f["identification_issuing_authority"]
	row.IdentificationDocIssuanceCountry = f["identification_doc_issuance_country"]
	row.IdentificationDocReferenceNumber = f["identification_doc_reference_number"]
}

// setRead fills the identification fields that the app left empty from the document's stored
// identification: verification fills it from the machine-readable zone it reads on the document's
// image, so an app that sends only the photo sees what was read once the document is decided.
func (row *documentRow) setRead(id *kyc.Identification) {
	fill := func(dst **string, v string) {
		if (*dst == nil || **dst == "") && v != "" {
			*dst = &v
		}
	}
	fill(&row.IdentificationValue, id.Number)
	fill(&row.IdentificationDocExpiry, id.ExpiryDate)
	fill(&row.IdentificationDocHolderName, id.HolderName)
	fill(&row.IdentificationDocIssuanceCountry, id.IssuingCountry)
}

// view builds get_app_user_profile_v2's answer: the applicant's profile, one row per slot (the
// staged file, or the file of the latest document the slot went into) and the overall status.
func (h *handler) view(ctx context.Context, who gather.Who) (profileView, error) {
	var v profileView
	a, err := h.d.Applicants.Get(ctx, who.Env, who.ApplicantID)
	if err != nil {
		return v, err
	}
	d, err := h.d.Gather.Draft(ctx, who)
	if err != nil {
		return v, err
	}
	v.Documents = []documentRow{}
	var statuses []string
	addressStatus := ""
	for _, slot := range gather.Slots {
		row := documentRow{AccessID: a.ID, DocumentType: string(slot)}
		var fileID, status string
		var claim *gather.Claim
		var readID *kyc.Identification
		if up, ok := d.Uploads[slot]; ok {
			fileID = up.FileID
			if slot == gather.SlotFront {
				claim = d.Identity
			}
		} else if sub, ok := d.Submitted[slot]; ok {
			fileID, claim = sub.FileID, sub.Claim
			doc, err := h.d.Documents.Get(ctx, who.Env, sub.DocumentID)
			if err != nil {
				return v, err
			}
			status, readID = doc.Status, doc.Identification
			if doc.RejectionReason != nil {
				reason := doc.RejectionReason.Type
				row.FailedReason = &reason
			}
		} else {
			continue
		}
		f, err := h.d.Files.Get(ctx, who.Env, fileID)
		if err != nil {
			return v, err
		}
		row.setFile(f)
		row.setClaim(claim)
		if slot == gather.SlotFront && readID != nil {
			row.setRead(readID)
		}
		row.KYCStatus = documentStatus[status]
		if slot == gather.SlotAddress {
			addressStatus = status
		}
		statuses = append(statuses, status)
		v.Documents = append(v.Documents, row)
	}
	v.Profile = profileOf(a, addressStatus)
	v.KYCStatus.Status = overallStatus(a.Status, statuses)
	return v, nil
}

func profileOf(a kyc.Applicant, addressStatus string) profileOut {
	p := a.Profile
	out := profileOut{AccessID: a.ID, FirstName: p.FirstName, MiddleName: p.MiddleName, LastName: p.LastName, BirthDate: p.DateOfBirth,
		Nationality: p.Nationality, CountryCode: p.CountryOfResidence, KYCStatus: applicantStatus[a.Status]}
	if out.CountryCode == "" {
		out.CountryCode = p.Nationality
	}
	if p.Phone != nil {
		out.PhoneNumber, out.PhoneISDCode = p.Phone.Number, p.Phone.CountryCode
	}
	for _, ad := range a.Addresses {
		typ := ad.Type
		if typ == "residential" || typ == "" {
			typ = "personal"
		}
		out.Addresses = append(out.Addresses, addressOut{City: ad.City, State: ad.State, Building: ad.Building, ZipCode: ad.PostalCode,
			AccessID: a.ID, KYCStatus: documentStatus[addressStatus], AddressType: typ, CountryCode: ad.Country,
			WhenCreated: a.UpdatedTime.UTC().Format(timeLayout), AddressLine1: ad.Line1, AddressLine2: ad.Line2})
	}
	return out
}
