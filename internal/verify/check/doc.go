// Package check holds kycd's verification checks: pure, stateless functions that look at an
// applicant, a KYC document, its machine-readable zone or its images and say what they found, as
// a Result shaped for Rebilly's checkList (name, failed, reason). The verification engine calls
// them, adds the weights of the level (DefaultWeights when the level names none), scores the
// document from 100 down and decides; this package owns none of that, nor any storage, clock,
// network or logging. Every check is deterministic: the time is a parameter (now), never read.
//
// The checks, by subject:
//
//   - data (fields.go, person.go, document.go, docnumber.go, contact.go, ssn.go, occupation.go):
//     required fields, date of birth (review), minimum age (decisive), document dates (decisive),
//     expiry (decisive), document number characters (decisive) and length (review), countries,
//     phone (libphonenumber), US SSN ranges (review), SOC occupation codes;
//   - consistency (consistency.go, namematch.go): holder name against the applicant's name at a
//     Rebilly match level, date of birth, issuing country against nationality;
//   - MRZ (mrz.go, mrzcompare.go): parsing with internal/mrz, every check digit, and each field
//     against the document's and the applicant's claims, with facts for parsedData;
//   - images (decode.go, gray.go, image.go, sharpness.go, exposure.go, glare.go, face.go,
//     textlines.go, docshown.go, phash.go): decoding with a pixel limit, size, blur (variance of
//     the Laplacian less its noise), exposure and glare judged on the document area (clipped
//     highlights and crushed shadows, never the mean level: white paper is bright), faces (pigo,
//     through internal/face/detect), that an identity proof shows a document at all (rows of
//     printed characters and, on the front, a portrait; review) and a perceptual hash for
//     near-duplicate search.
//
// A Result is Failed, passed, or Skipped when there was nothing to check; a failed Result carries
// a rejection type from kyc.RejectionTypes, a Detail that never holds personal data, Decisive
// when it rejects whatever the score, and Review when a person must decide whatever the score.
// An identifier or date that cannot exist is one or the other: decisive when it is claimed about
// the document (its dates, a character no document prints in its number), review when it is the
// applicant's own typed data (SSN, date of birth) or when the rule is a plausibility bound (the
// length of a document number). Image thresholds were calibrated on captures the tests generate
// (quality_test.go and, for DocumentShown, docshown_test.go: tuned on one seed, evaluated on
// another), on the images of testdata and on blurred, darkened, brightened, scaled and re-encoded
// copies made by the tests; each constant says how.
package check
