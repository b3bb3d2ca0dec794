package alchemypay

import "kycd/internal/share"

// Mapping is what is sent, field by field. It is the table the README shows.
var Mapping = []share.Row{
	row("requestNo", "share id (shr_...), the same on every retry", "<= 64, unique", ""),
	row("email", "applicant.email", "<= 64, unique", ""),
	row("kycPlatform", "options.kycPlatform, default \"kycd\"", "<= 32", ""),
	row("holderType", "\"1\" (personal)", "", ""),
	row("callbackUrl", "KYCD_PUBLIC_URL + /v1/partner-callbacks/alchemypay (test shares: /v1/partner-callbacks/test/alchemypay)", "", ""),
	row("individualInfo.firstName / lastName", "profile.firstNameLatin or firstName / lastNameLatin or lastName", "<= 35", ""),
	row("individualInfo.dob", "profile.dateOfBirth", "YYYY-MM-DD", ""),
	row("individualInfo.country", "profile.nationality, alpha-2", "", ""),
	row("individualInfo.gender", "profile.gender: male 1, female 2", "", "table says Integer, example sends \"1\": the code sends the string, as the example"),
	row("individualInfo.idDocType", "identity document subtype: id-card 1, passport 2, residence-permit 3, driver-license 4", "", ""),
	row("individualInfo.number", "identification.number", "", ""),
	row("individualInfo.validUntil", "identification.expiryDate, or 2099-01-01 when it has none (valid indefinitely)", "YYYY-MM-DD", ""),
	row("individualInfo.ipAddress", "profile.ipAddress", "", ""),
	row("individualInfo.address.{country,state,city,address,zipCode}", "residential address: country alpha-3, state, city, line1 + line2, postalCode", "all required",
		"table lists +address beside individualInfo, the example nests it inside and writes country \"USA\" (alpha-3): the code follows the example"),
	row("individualInfo.address.ssn", "profile.ssn, only when the nationality is US", "required for US", ""),
	row("fileUpload type idFront / idBack / face", "identity document files tagged id-front / id-back / face-proof", "jpg or png, <= 5 MB; idFront and face required",
		"the facts list amlReport and idvReport (pdf) as mandatory too; kycd holds no such reports, so the code follows the issue (idFront and face) and sends none"),
}

// genders maps kycd's gender to Alchemy Pay's.
var genders = map[string]string{"male": "1", "female": "2"}

// idDocTypes maps kycd's identity document subtype to Alchemy Pay's idDocType.
var idDocTypes = map[string]string{"id-card": "1", "passport": "2", "residence-permit": "3", "driver-license": "4"}

// fileTypes maps kycd's file tags to fileUpload types, in upload order.
var fileTypes = []struct{ Tag, Type string }{{"id-front", "idFront"}, {"id-back", "idBack"}, {"face-proof", "face"}}

// statuses maps Alchemy Pay's kycStatus to share statuses.
var statuses = map[string]string{"init": "submitted", "reviewing": "submitted", "approved": "approved", "rejected": "rejected"}

// Limits of the partner.
const (
	maxFileBytes = 5 << 20
	indefinitely = "2099-01-01"
)

func row(field, source, rule, disagreement string) share.Row {
	return share.Row{Field: field, Source: source, Rule: rule, Disagreement: disagreement}
}
