package check

// Names of the checks, as they appear in a document's checkList and as keys of DefaultWeights.
// Each is the name of the Result that one function returns.
const (
	// NameRequiredFields is RequiredFields: the level's required fields are present.
	NameRequiredFields = "required-fields"
	// NameDateOfBirth is DateOfBirth: the applicant's date of birth is real and not in the future
	// (review).
	NameDateOfBirth = "date-of-birth-valid"
	// NameMinimumAge is MinimumAge: the applicant has the minimum age of their country (decisive).
	NameMinimumAge = "minimum-age"
	// NameDocumentDates is DocumentDates: issue date real, not in the future, before expiry
	// (decisive).
	NameDocumentDates = "document-dates-valid"
	// NameNotExpired is NotExpired: the document has not expired (decisive).
	NameNotExpired = "document-not-expired"
	// NameExpiryPresent is ExpiryPresent: an identity document states its expiry date.
	NameExpiryPresent = "expiry-date-present"
	// NameCountries is Countries: every country given is an ISO 3166-1 country.
	NameCountries = "countries-valid"
	// NamePhone is Phone: the phone number is valid for its country code.
	NamePhone = "phone-valid"
	// NameSSN is SSN: a US resident's SSN has 9 digits and is not in a never-issued range (review).
	NameSSN = "ssn-valid"
	// NameOccupation is Occupation: the occupation is a SOC code of a real major group.
	NameOccupation = "occupation-valid"
	// NameDocumentNumber is DocumentNumber: an identity document's number has only characters
	// that documents print (decisive) and a plausible length (review).
	NameDocumentNumber = "document-number-plausible"

	// NameHolderName is HolderName: the document's holder name is the applicant's name.
	NameHolderName = "holder-name-match"
	// NameIssuingCountry is IssuingCountry: the issuing country is the applicant's nationality.
	NameIssuingCountry = "issuing-country-match"

	// NameMRZImage is the first result of DocumentMRZ: a zone was read from the document's image
	// (review when a document that carries one gives none).
	NameMRZImage = "mrz-read-from-image"
	// NameMRZTyped compares a typed MRZ with the zone read from the image (review).
	NameMRZTyped = "mrz-typed-matches-image"
	// NameMRZNotExpired: the expiry date of the zone read from the image has not passed (decisive).
	NameMRZNotExpired = "mrz-not-expired"
	// NameMRZSpecimen: the zone read from the image is not an ICAO specimen's (decisive, live only).
	NameMRZSpecimen = "mrz-not-specimen"
	// NameMRZReadable is the first result of MRZ: the zone parses.
	NameMRZReadable = "mrz-readable"
	// NameMRZChecksum is the result of CompareMRZ on the check digits: all are valid.
	NameMRZChecksum = "mrz-checksum"
	// NameMRZSurname compares the zone's surname with the applicant's.
	NameMRZSurname = "mrz-surname"
	// NameMRZGivenNames compares the zone's given names with the applicant's.
	NameMRZGivenNames = "mrz-given-names"
	// NameMRZDocumentNumber compares the zone's document number with the document's.
	NameMRZDocumentNumber = "mrz-document-number"
	// NameMRZIssuingCountry compares the zone's issuing state with the document's issuing country.
	NameMRZIssuingCountry = "mrz-issuing-country"
	// NameMRZNationality compares the zone's nationality with the applicant's.
	NameMRZNationality = "mrz-nationality"
	// NameMRZDateOfBirth compares the zone's date of birth with the applicant's.
	NameMRZDateOfBirth = "mrz-date-of-birth"
	// NameMRZSex compares the zone's sex with the applicant's gender.
	NameMRZSex = "mrz-sex"
	// NameMRZExpiryDate compares the zone's expiry date with the document's.
	NameMRZExpiryDate = "mrz-expiry-date"

	// NameImageDecodes is Decoded: the file decodes as an image within the pixel limit.
	NameImageDecodes = "image-decodes"
	// NameImageSize is Size: the image's shorter side reaches the minimum.
	NameImageSize = "image-size"
	// NameImageSharp is Sharpness: the image is not blurred.
	NameImageSharp = "image-sharp"
	// NameImageExposure is Exposure: the image is neither underexposed nor washed out.
	NameImageExposure = "image-exposure"
	// NameImageGlare is Glare: no glare spot hides part of a document.
	NameImageGlare = "image-glare"
	// NameSelfieFace is SelfieFace: a selfie shows exactly one face.
	NameSelfieFace = "selfie-face"
	// NameDocumentShown is DocumentShown: an identity proof's image shows a document, printed text
	// and, on an identity document's front, a portrait (review).
	NameDocumentShown = "document-shown"
	// NameSelfieNotDocument is SelfieNotDocument: a selfie is not a photo of a document page
	// (review).
	NameSelfieNotDocument = "selfie-not-document"
)

// Names lists every check name above, in the order the checks are listed: for a level's
// configuration to validate the names it weighs.
var Names = []string{
	NameRequiredFields, NameDateOfBirth, NameMinimumAge, NameDocumentDates, NameNotExpired, NameExpiryPresent,
	NameCountries, NamePhone, NameSSN, NameOccupation, NameDocumentNumber, NameHolderName, NameIssuingCountry,
	NameMRZImage, NameMRZTyped, NameMRZNotExpired, NameMRZSpecimen, NameMRZReadable, NameMRZChecksum, NameMRZSurname, NameMRZGivenNames, NameMRZDocumentNumber,
	NameMRZIssuingCountry, NameMRZNationality, NameMRZDateOfBirth, NameMRZSex, NameMRZExpiryDate,
	NameImageDecodes, NameImageSize, NameImageSharp, NameImageExposure, NameImageGlare, NameSelfieFace,
	NameDocumentShown, NameSelfieNotDocument,
}

// Rebilly rejection types that the checks give (each is in kyc.RejectionTypes).
const (
	// ReasonUnreadable: an image that does not decode, is too small, blurred, badly exposed, or
	// shows no face where one must be.
	ReasonUnreadable = "document-unreadable"
	// ReasonExpired: the document's expiry date has passed.
	ReasonExpired = "document-expired"
	// ReasonNotMatching: the document, or its MRZ, contradicts what is claimed.
	ReasonNotMatching = "document-not-matching"
	// ReasonInvalid: the document cannot be right as it stands (impossible dates, a document number
	// no document could carry, an MRZ that does not parse or whose check digits are wrong).
	ReasonInvalid = "document-invalid"
	// ReasonUnderage: the applicant is under the minimum age.
	ReasonUnderage = "underage-person"
	// ReasonThirdParty: someone other than the applicant is in the selfie.
	ReasonThirdParty = "third-party-or-mismatch"
	// ReasonExpiryMissing: an identity document without an expiry date.
	ReasonExpiryMissing = "expiration-date-missing"
	// ReasonDOBMismatch: the document's date of birth is not the applicant's.
	ReasonDOBMismatch = "dob-mismatch"
	// ReasonNameMismatch: the document's holder name is not the applicant's.
	ReasonNameMismatch = "name-mismatch"
	// ReasonCriticalMissing: a required field is missing, or the applicant's data gives no usable
	// value (an impossible date of birth, country, phone, SSN or occupation).
	ReasonCriticalMissing = "critical-info-missing"
)

// DefaultWeights are the points each failed check takes from a document's score of 100, for
// levels that name no weight of their own. A document at or above 80 is commonly accepted and one
// below 50 rejected, so: a failure that proves the document wrong or unusable on its own weighs 50
// or more; a serious doubt 30-40, which sends an otherwise clean document to review; a data-quality
// problem 10-20. Decisive failures (minimum-age, document-not-expired, document-dates-valid, a
// document number with a character no document prints) reject whatever their weight; review failures
// (ssn-valid, date-of-birth-valid, a document number of implausible length) keep a document from
// acceptance whatever their weight.
var DefaultWeights = map[string]int{
	NameRequiredFields: 30,
	NameDateOfBirth:    30,
	NameMinimumAge:     100,
	NameDocumentDates:  40,
	NameNotExpired:     100,
	NameExpiryPresent:  30,
	NameCountries:      20,
	NamePhone:          10,
	NameSSN:            20,
	NameOccupation:     5,
	NameDocumentNumber: 30,

	NameHolderName:     40,
	NameIssuingCountry: 20,

	NameMRZImage:          40,
	NameMRZTyped:          50,
	NameMRZNotExpired:     100,
	NameMRZSpecimen:       100,
	NameMRZReadable:       30,
	NameMRZChecksum:       50,
	NameMRZSurname:        30,
	NameMRZGivenNames:     20,
	NameMRZDocumentNumber: 40,
	NameMRZIssuingCountry: 20,
	NameMRZNationality:    20,
	NameMRZDateOfBirth:    40,
	NameMRZSex:            10,
	NameMRZExpiryDate:     30,

	NameImageDecodes:      100,
	NameImageSize:         30,
	NameImageSharp:        40,
	NameImageExposure:     30,
	NameImageGlare:        30,
	NameSelfieFace:        60,
	NameDocumentShown:     60,
	NameSelfieNotDocument: 60,
}
