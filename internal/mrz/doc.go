// Package mrz reads the machine-readable zone (MRZ) of travel documents as ICAO Doc 9303 defines
// it: TD1 identity cards (3 lines of 30 characters), TD2 cards (2 x 36), TD3 passports (2 x 44) and
// the two machine-readable visas, MRV-A (2 x 44) and MRV-B (2 x 36).
//
// It owns the layouts, the check-digit arithmetic (weights 7, 3, 1) and the reading of names, dates
// and the long document number that overflows into the optional data. It knows nothing of
// applicants or KYC documents: comparing an MRZ with what a person claims is the work of
// internal/verify/check.
//
// Parse is lenient about content and strict about shape: a zone with the wrong number of lines,
// wrong line lengths or characters other than A-Z, 0-9 and '<' is refused with an error wrapping
// ErrInvalid, while a zone of the right shape is always read, and every check digit is reported
// valid or not in MRZ.Checks, so that a caller can say which field is wrong rather than only that
// the zone is unreadable. Errors name lines and columns, never the zone's content.
package mrz
