package saintpay

import "kycd/internal/share"

// Mapping is what is sent, field by field. It is the table the README shows.
var Mapping = []share.Row{
	row("merchantUserId", "applicant.externalId, or the applicant id when it has none", "required", "the fragment's first row has no name (\"Merchant user ID and email\"); the webhook facts call it merchantUserId (code)"),
	row("kycType", "\"USER\" (individuals)", "USER or ENTERPRISE", ""),
	row("registerTime", "profile.registeredAt, else the applicant's creation time", "yyyy-MM-dd HH:mm:ss", ""),
	row("type", "new; update when an earlier share was taken; reNew after a rejection or document request; options.type overrides", "new, update, reNew", ""),
	row("callbackUrl", "KYCD_PUBLIC_URL + /v1/partner-callbacks/saintpay (test shares: /v1/partner-callbacks/test/saintpay)", "", ""),
	row("kycIdentityInfoVo.firstName / middleName / lastName", "profile.firstName / middleName / lastName", "first and last required", ""),
	row("kycIdentityInfoVo.firstNameEn / middleNameEn / lastNameEn", "profile.firstNameLatin / middleNameLatin / lastNameLatin", "", ""),
	row("kycIdentityInfoVo.gender", "profile.gender: male M, female F", "required", ""),
	row("kycIdentityInfoVo.idType", "document subtype: passport PASSPORT, driver-license DRIVERS, visa VISA, id-card ID_CARD, residence-permit RESIDENCE_PERMIT", "required", ""),
	row("kycIdentityInfoVo.idNumber", "identification.number", "required", ""),
	row("kycIdentityInfoVo.nationality / residentialCountry / idCountry", "profile.nationality / countryOfResidence (else the residential address's country) / identification.issuingCountry, as alpha-3", "required, ISO 3166-1 alpha-3", ""),
	row("kycIdentityInfoVo.dob / idExpiry", "profile.dateOfBirth / identification.expiryDate", "required, yyyy-MM-dd", "the fragment gives no date format; yyyy-MM-dd assumed"),
	row("kycIdentityInfoVo.street, city, state, zip, district, address", "residential address line1, city, state, postalCode, district, line1 + line2", "optional", ""),
	row("kycIdentityInfoVo.frontFileUrl / backFileUrl / selfieFileUrl", "signed, expiring kycd links to the files id-front / id-back / face-proof", "front and selfie required", "the fragment speaks of URLs \"obtained upon uploading\" to Saintpay; no upload API is documented, so kycd serves its own links"),
	row("kycIdentityInfoVo.kycTime", "the identity document's decision time", "yyyy-MM-dd HH:mm:ss", ""),
	row("kycIdentityInfoVo.kycLevel", "applicant.level: L0, L1, L2 (options.kycLevel overrides for custom levels)", "required, L0 L1 L2", ""),
	row("kycIdentityInfoVo.accountPurpose / monthSpend / sourceFunds / occupation", "profile.accountPurpose / expectedMonthlySpend / sourceOfFunds / occupation", "optional", ""),
}

func row(field, source, rule, disagreement string) share.Row {
	return share.Row{Field: field, Source: source, Rule: rule, Disagreement: disagreement}
}

// idTypes maps kycd's identity document subtype to Saintpay's idType (UTILITY_BILL is an address
// proof, never an identity document's type here).
var idTypes = map[string]string{"passport": "PASSPORT", "driver-license": "DRIVERS", "visa": "VISA", "id-card": "ID_CARD", "residence-permit": "RESIDENCE_PERMIT"}

// genders maps kycd's gender to Saintpay's.
var genders = map[string]string{"male": "M", "female": "F"}

// levels maps kycd's built-in levels to Saintpay's kycLevel (the same meaning, DESIGN.md).
var levels = map[string]string{"L0": "L0", "L1": "L1", "L2": "L2"}

// statuses maps Saintpay's account and webhook statuses to share statuses ("dcumentRequire" is
// spelt as Saintpay spells it).
var statuses = map[string]string{"new": "submitted", "accept": "approved", "reject": "rejected", "dcumentRequire": "needs-info"}
