// Package alchemypay shares KYC with Alchemy Pay's KYC Sharing API (the card-issuer KYC sharing
// documents in ../shared/vendors): basic information, one fileUpload per file type, merchantProcess
// (submit for approval) and queryMerchantKyc. Every call is signed with ach-access-key,
// ach-access-timestamp and ach-access-sign = Base64(HMAC-SHA256(secret, timestamp + METHOD +
// requestPath + body)). Callbacks are not signed, so the service confirms each by a status query
// before believing it. The mapping from kycd's applicant is the table Mapping, with the places
// where the fragment and the fuller facts disagree marked.
package alchemypay
