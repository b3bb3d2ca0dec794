package check_test

import (
	"fmt"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/verify/check"
)

// A passport checked the way the engine would: data checks, then the holder name, then the MRZ.
func Example() {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	applicant := &kyc.Applicant{Profile: kyc.Profile{
		FirstName: "Anna", MiddleName: "Maria", LastName: "Eriksson", DateOfBirth: "1974-08-12",
		Gender: "female", Nationality: "SE", CountryOfResidence: "SE",
	}}
	doc := &kyc.Document{Type: "identity-proof", Subtype: "passport", Identification: &kyc.Identification{
		Number: "L898902C3", IssuingCountry: "SE", ExpiryDate: "2012-04-15", HolderName: "ERIKSSON, ANNA MARIA",
		MRZ: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}}
	results := []check.Result{
		check.MinimumAge(applicant, check.MinAge{ByCountry: map[string]int{"US": 21}}, now),
		check.NotExpired(doc.Identification, now),
		check.HolderName(doc.Identification, &applicant.Profile, check.MatchStrict),
	}
	mrz := check.MRZ(doc.Identification, &applicant.Profile, check.MatchStrict, now)
	results = append(results, mrz.Results...)
	for _, r := range results {
		switch {
		case r.Failed:
			fmt.Printf("%-22s failed %s (%s) decisive=%v\n", r.Name, r.Reason, r.Detail, r.Decisive)
		case r.Skipped:
			fmt.Printf("%-22s skipped\n", r.Name)
		default:
			fmt.Printf("%-22s passed\n", r.Name)
		}
	}
	fmt.Println("mrzChecksumValid:", mrz.ParsedData["mrzChecksumValid"])
	// Output:
	// minimum-age            passed
	// document-not-expired   failed document-expired (the document has expired) decisive=true
	// holder-name-match      passed
	// mrz-readable           passed
	// mrz-checksum           passed
	// mrz-surname            passed
	// mrz-given-names        passed
	// mrz-document-number    passed
	// mrz-issuing-country    failed document-not-matching (the MRZ issuing state is not a known state code) decisive=false
	// mrz-nationality        failed document-not-matching (the MRZ nationality is not a known state code) decisive=false
	// mrz-date-of-birth      passed
	// mrz-sex                passed
	// mrz-expiry-date        passed
	// mrzChecksumValid: true
}
