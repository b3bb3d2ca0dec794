package kyc

import "time"

// Phone is a phone number split the way partners want it: the international dialling code without
// "+" (1-3 digits) and the national number (at most 15 digits).
type Phone struct {
	CountryCode string `json:"countryCode"`
	Number      string `json:"number"`
}

// Address is one postal address of an applicant. Country is ISO 3166-1 alpha-2.
type Address struct {
	Type       string `json:"type,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	Building   string `json:"building,omitempty"`
	District   string `json:"district,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Profile is what an applicant says about themselves: the union of the fields that the reference and
// partner documents ask for. Dates are YYYY-MM-DD; countries ISO 3166-1 alpha-2.
type Profile struct {
	FirstName            string     `json:"firstName,omitempty"`
	MiddleName           string     `json:"middleName,omitempty"`
	LastName             string     `json:"lastName,omitempty"`
	FirstNameLatin       string     `json:"firstNameLatin,omitempty"`
	MiddleNameLatin      string     `json:"middleNameLatin,omitempty"`
	LastNameLatin        string     `json:"lastNameLatin,omitempty"`
	DateOfBirth          string     `json:"dateOfBirth,omitempty"`
	Gender               string     `json:"gender,omitempty"`
	Nationality          string     `json:"nationality,omitempty"`
	CountryOfResidence   string     `json:"countryOfResidence,omitempty"`
	Phone                *Phone     `json:"phone,omitempty"`
	Occupation           string     `json:"occupation,omitempty"`
	AnnualSalary         string     `json:"annualSalary,omitempty"`
	AccountPurpose       string     `json:"accountPurpose,omitempty"`
	ExpectedMonthlySpend string     `json:"expectedMonthlySpend,omitempty"`
	SourceOfFunds        string     `json:"sourceOfFunds,omitempty"`
	SSN                  string     `json:"ssn,omitempty"`
	TaxID                string     `json:"taxId,omitempty"`
	IPAddress            string     `json:"ipAddress,omitempty"`
	RegisteredAt         *time.Time `json:"registeredAt,omitempty"`
}

// Applicant is a person or business being verified. Email, Profile and Addresses are personal data:
// the store keeps them sealed at rest.
type Applicant struct {
	ID          string    `json:"id"`
	Env         Env       `json:"environment"`
	ExternalID  string    `json:"externalId,omitempty"`
	Type        string    `json:"type"`
	Email       string    `json:"email,omitempty"`
	Profile     Profile   `json:"profile"`
	Addresses   []Address `json:"addresses"`
	Status      string    `json:"status"`
	Level       string    `json:"level"`
	Revision    int64     `json:"revision"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

// File is uploaded bytes, an image or a PDF. MIME is sniffed from the bytes; Width and Height are 0
// for a PDF. The bytes live in the blob store under BlobKey, sealed.
type File struct {
	ID          string    `json:"id"`
	Env         Env       `json:"environment"`
	ApplicantID string    `json:"applicantId"`
	Tag         string    `json:"tag"`
	MIME        string    `json:"mime"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	BlobKey     string    `json:"-"`
	CreatedTime time.Time `json:"createdTime"`
}

// Identification is what an identity or address document claims about itself.
type Identification struct {
	Number           string `json:"number,omitempty"`
	IssuingCountry   string `json:"issuingCountry,omitempty"`
	IssueDate        string `json:"issueDate,omitempty"`
	ExpiryDate       string `json:"expiryDate,omitempty"`
	HolderName       string `json:"holderName,omitempty"`
	IssuingAuthority string `json:"issuingAuthority,omitempty"`
	ReferenceNumber  string `json:"referenceNumber,omitempty"`
	MRZ              string `json:"mrz,omitempty"`
}

// Check is the result of one verification step on a document (Rebilly's checkList item).
type Check struct {
	Name   string `json:"name"`
	Failed bool   `json:"failed"`
	Score  int    `json:"score"`
	Reason string `json:"reason,omitempty"`
}

// RejectionReason says why a document was rejected, with one of RejectionTypes.
type RejectionReason struct {
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
}

// Document is a KYC document: evidence made of files plus what it claims. Identification is
// personal data, sealed at rest.
type Document struct {
	ID              string           `json:"id"`
	Env             Env              `json:"environment"`
	ApplicantID     string           `json:"applicantId"`
	RequestID       string           `json:"requestId,omitempty"`
	Type            string           `json:"type"`
	Subtype         string           `json:"subtype,omitempty"`
	FileIDs         []string         `json:"fileIds"`
	Identification  *Identification  `json:"identification,omitempty"`
	Status          string           `json:"status"`
	Score           *int             `json:"score,omitempty"`
	CheckList       []Check          `json:"checkList,omitempty"`
	RejectionReason *RejectionReason `json:"rejectionReason,omitempty"`
	Revision        int64            `json:"revision"`
	CreatedTime     time.Time        `json:"createdTime"`
	UpdatedTime     time.Time        `json:"updatedTime"`
}

// RequestDocument is one document that a KYC request asks for.
type RequestDocument struct {
	Type                 string   `json:"type"`
	Subtypes             []string `json:"subtypes,omitempty"`
	MaxAttempts          int      `json:"maxAttempts"`
	FaceProofRequired    bool     `json:"faceProofRequired"`
	FaceLivenessRequired bool     `json:"faceLivenessRequired"`
}

// Link is a related resource, as in Rebilly's _links.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// Request is a KYC request: what is asked of one applicant, with a hosted link (the gatherer).
type Request struct {
	ID             string            `json:"id"`
	Env            Env               `json:"environment"`
	ApplicantID    string            `json:"applicantId"`
	Documents      []RequestDocument `json:"documents"`
	Status         string            `json:"status"`
	Reason         string            `json:"reason,omitempty"`
	RedirectURL    string            `json:"redirectUrl,omitempty"`
	MatchLevel     int               `json:"matchLevel"`
	Level          string            `json:"level"`
	Revision       int64             `json:"revision"`
	ExpirationTime time.Time         `json:"expirationTime"`
	CreatedTime    time.Time         `json:"createdTime"`
	UpdatedTime    time.Time         `json:"updatedTime"`
	Links          []Link            `json:"_links"`
}

// Actor names who made a change, for the audit log: an API key id ("key_..."), an applicant token
// ("applicant:apl_..."), or a system job ("system:expire-request").
type Actor string

// AuditEntry records one state change. It holds ids and action names only, never personal data.
type AuditEntry struct {
	Actor        Actor
	Action       string
	ResourceType string
	ResourceID   string
}

// Page is one page of a list: Items and, when more follow, NextCursor.
type Page[T any] struct {
	Items      []T
	NextCursor string
}
