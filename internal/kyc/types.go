package kyc

import "time"

// Phone is a phone number split the way partners want it: the international dialling code without
// "+" (1-3 digits) and the national number (at most 15 digits).
type Phone struct {
	CountryCode string `json:"countryCode" pattern:"^\\+?[0-9]{1,3}$" doc:"International dialling code, 1-3 digits; a leading + is dropped" example:"81"`
	Number      string `json:"number" pattern:"^[0-9]{1,15}$" doc:"National number, digits only, at most 15" example:"42342348"`
}

// Address is one postal address of an applicant. Country is ISO 3166-1 alpha-2.
type Address struct {
	Type       string `json:"type,omitempty" enum:"residential,mailing,business"`
	Line1      string `json:"line1,omitempty" maxLength:"200"`
	Line2      string `json:"line2,omitempty" maxLength:"200"`
	Building   string `json:"building,omitempty" maxLength:"200"`
	District   string `json:"district,omitempty" maxLength:"100"`
	City       string `json:"city,omitempty" maxLength:"100"`
	State      string `json:"state,omitempty" maxLength:"100"`
	PostalCode string `json:"postalCode,omitempty" maxLength:"20"`
	Country    string `json:"country,omitempty" maxLength:"64" doc:"ISO 3166-1 alpha-2 or alpha-3 code or English name; stored as alpha-2"`
}

// Profile is what an applicant says about themselves: the union of the fields that the reference and
// partner documents ask for. Dates are YYYY-MM-DD; countries ISO 3166-1 alpha-2.
type Profile struct {
	FirstName            string     `json:"firstName,omitempty" maxLength:"100"`
	MiddleName           string     `json:"middleName,omitempty" maxLength:"100"`
	LastName             string     `json:"lastName,omitempty" maxLength:"100"`
	FirstNameLatin       string     `json:"firstNameLatin,omitempty" maxLength:"100"`
	MiddleNameLatin      string     `json:"middleNameLatin,omitempty" maxLength:"100"`
	LastNameLatin        string     `json:"lastNameLatin,omitempty" maxLength:"100"`
	DateOfBirth          string     `json:"dateOfBirth,omitempty" format:"date" doc:"YYYY-MM-DD"`
	Gender               string     `json:"gender,omitempty" enum:"male,female,other"`
	Nationality          string     `json:"nationality,omitempty" maxLength:"64" doc:"ISO 3166-1 alpha-2 or alpha-3 code or English name; stored as alpha-2"`
	CountryOfResidence   string     `json:"countryOfResidence,omitempty" maxLength:"64" doc:"ISO 3166-1 alpha-2 or alpha-3 code or English name; stored as alpha-2"`
	Phone                *Phone     `json:"phone,omitempty"`
	Occupation           string     `json:"occupation,omitempty" maxLength:"20" doc:"SOC code NN-NNNN" example:"11-1011"`
	AnnualSalary         string     `json:"annualSalary,omitempty" maxLength:"100"`
	AccountPurpose       string     `json:"accountPurpose,omitempty" maxLength:"100"`
	ExpectedMonthlySpend string     `json:"expectedMonthlySpend,omitempty" maxLength:"100"`
	SourceOfFunds        string     `json:"sourceOfFunds,omitempty" maxLength:"100"`
	SSN                  string     `json:"ssn,omitempty" maxLength:"11" doc:"US Social Security Number, 9 digits"`
	TaxID                string     `json:"taxId,omitempty" maxLength:"50"`
	IPAddress            string     `json:"ipAddress,omitempty" maxLength:"45" doc:"IPv4 or IPv6 address the applicant registered from"`
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
	// ErasedTime is when the applicant's personal data was erased (DELETE /v1/applicants/{id}):
	// from then on email, profile and addresses are empty and the applicant cannot be changed.
	ErasedTime *time.Time `json:"erasedTime,omitempty"`
	// LegalHold, while set, refuses the applicant's erasure.
	LegalHold *LegalHold `json:"legalHold,omitempty"`
}

// LegalHold keeps an applicant's data from erasure (a court order, an investigation) until it is
// lifted.
type LegalHold struct {
	Reason     string    `json:"reason" doc:"Why the data must be kept, as the person who placed the hold wrote it; no personal data"`
	PlacedTime time.Time `json:"placedTime"`
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
	Number           string `json:"number,omitempty" maxLength:"64"`
	IssuingCountry   string `json:"issuingCountry,omitempty" maxLength:"64" doc:"ISO 3166-1 alpha-2 or alpha-3 code or English name; stored as alpha-2"`
	IssueDate        string `json:"issueDate,omitempty" format:"date"`
	ExpiryDate       string `json:"expiryDate,omitempty" format:"date"`
	HolderName       string `json:"holderName,omitempty" maxLength:"200"`
	IssuingAuthority string `json:"issuingAuthority,omitempty" maxLength:"200"`
	ReferenceNumber  string `json:"referenceNumber,omitempty" maxLength:"64"`
	MRZ              string `json:"mrz,omitempty" maxLength:"200" doc:"Machine-readable zone, lines separated by newlines"`
}

// Check is the result of one verification step on a document (Rebilly's checkList item).
type Check struct {
	Name   string `json:"name"`
	Failed bool   `json:"failed"`
	Score  int    `json:"score"`
	Reason string `json:"reason,omitempty"`
}

// Decision records how the checks decided a document, so the decision can be explained and re-run:
// the level and its version (a hash of its settings), the thresholds, the score and the outcome.
type Decision struct {
	Level        string    `json:"level"`
	LevelVersion string    `json:"levelVersion"`
	AcceptAbove  int       `json:"acceptAbove"`
	RejectBelow  int       `json:"rejectBelow"`
	Score        int       `json:"score"`
	Outcome      string    `json:"outcome" doc:"accepted, rejected or pending-review"`
	Decisive     string    `json:"decisive,omitempty" doc:"The check that decided whatever the score, if any"`
	Forced       bool      `json:"forced,omitempty" doc:"Test mode: the outcome was forced by a magic value"`
	DecidedTime  time.Time `json:"decidedTime"`
}

// Review is a person's decision on a document.
type Review struct {
	Reviewer     Actor     `json:"reviewer"`
	Outcome      string    `json:"outcome" doc:"accepted or rejected"`
	Reason       string    `json:"reason,omitempty"`
	Notes        string    `json:"notes,omitempty"`
	Override     bool      `json:"override,omitempty" doc:"The document had already been decided"`
	ReviewedTime time.Time `json:"reviewedTime"`
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
	ParsedData      map[string]any   `json:"parsedData,omitempty" doc:"What the checks read from the document: mrzSource, mrzReadFromImage, mrzChecksumValid, mrzRead {surname, givenNames, documentNumber, nationality, issuingState, sex, dateOfBirth, expiryDate} (what the zone on the image says), hasMinimalAge, selfieShowsOneFace, faceMatch {similarity, threshold, matched} (the selfie against the document portrait), hasMatchingFaceProof (true only when they matched), duplicateFaceOf (another applicant with the same face), liveness {passed, checks, frames}, ..."`
	Decision        *Decision        `json:"decision,omitempty"`
	Review          *Review          `json:"review,omitempty"`
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
	Links          []Link            `json:"_links,omitempty"`
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

// Event is something that happened to a resource, delivered to webhook subscribers. Data is a
// snapshot of the resource at Revision, so receivers can order events and drop stale ones.
type Event struct {
	ID           string    `json:"id"`
	Env          Env       `json:"environment"`
	Type         string    `json:"type"`
	ResourceType string    `json:"resourceType"`
	ResourceID   string    `json:"resourceId"`
	Revision     int64     `json:"revision"`
	CreatedTime  time.Time `json:"createdTime"`
	Data         any       `json:"data" doc:"The resource as it was after the change; null once its applicant was erased"`
	// DataErased: Data is gone for good: the applicant it belongs to was erased (its payload
	// removed, or sealed under the applicant's destroyed data key), or retention removed it.
	DataErased bool `json:"dataErased,omitempty"`
	// ApplicantID is the applicant the event belongs to, "" for none (a webhook's events): its
	// payload, and its webhook bodies, are sealed under that applicant's data key.
	ApplicantID string `json:"-"`
}
