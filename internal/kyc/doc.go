// Package kyc is kycd's shared vocabulary: the domain types (applicants, files, KYC documents, KYC
// requests), their statuses and enums, prefixed ids, environments and the sentinel errors that every
// other package wraps. It depends on the standard library only, so every package may import it.
package kyc
