// Package saintpay shares KYC with Saintpay (the white-label platform also behind OSL Pay):
// POST /api/v1/user/kyc/share with file URLs (type new, update or reNew) and
// /api/v1/user/query-user-account-status. Every request carries the headers appId, timestamp and
// signature, an RSA (PKCS #1 v1.5, SHA-256) signature by the merchant's private key over
// "appId=<appId>&timestamp=<timestamp>"; callbacks carry the same headers signed by the platform
// and are verified with its public key. That signature does not cover the body, so a callback is
// also confirmed by a status query before it is believed.
//
// Saintpay fetches documents by URL: kycd gives it signed, expiring links to its own
// /v1/share-files/ endpoint (share.Links), so the bytes stay in kycd's store until Saintpay asks.
package saintpay
