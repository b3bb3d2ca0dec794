// Package interlace shares KYC with Interlace (Submit account KYC, v3): an OAuth-like
// authorization (GET /open-api/oauth/authorize -> code, POST /open-api/oauth/access-token ->
// accessToken, sent as x-access-token and refreshed before it expires), file upload
// (POST /open-api/v3/files/upload), the submission (POST /open-api/v3/accounts/{accountId}/kyc) and
// its status (GET on the same path). Callbacks are verified by their Signature header: Base64 of
// HMAC-SHA256 over the resource string with the client secret. The mapping from kycd's applicant is
// the table Mapping; the body's field names are the table Names, where the fragment's names and the
// live clients' names disagree.
package interlace
