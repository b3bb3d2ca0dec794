// Package appapi serves the app KYC endpoints of vendors/app-kyc-flow.md with their exact names and
// snake_case shapes, so a mobile app written against that backend works against kycd unchanged:
//
//	POST /upload-KYC-document          {fileData {type, file (data URL), ext}}
//	POST /update_app_user_profile_v2   {documents[], user_addresses[], profile?}
//	GET|POST /get_app_user_profile_v2  {profile, documents, kyc_status {status}}
//
// Bodies may be bare or wrapped in the envelope the document shows ({data, method, endpoint,
// headers}). Callers hold an applicant token (Authorization: Bearer kyct_..., minted with POST
// /v1/applicants/{id}/tokens) and reach that applicant only. Everything goes through
// internal/gather, so app uploads become the same files and KYC documents as /v1 ones: checked,
// decided and delivered by webhook. Status words are mapped in status.go.
package appapi
