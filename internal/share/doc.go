// Package share sends an applicant's approved KYC to partner platforms (Interlace, Alchemy Pay's
// KYC Sharing API, Saintpay) and follows it until the partner decides. It owns shares (statuses
// queued, submitted, approved, rejected, needs-info, failed; the partner's reference and message)
// and their SQL (Repo, over the store's core), the River jobs that submit and poll them, partners'
// callbacks, signed links to shared files, and automatic sharing. Each partner is a Connector in
// its own package (share/interlace, share/alchemypay, share/saintpay) that owns its mapping table,
// its pre-validation, its calls and its signing.
//
// # Submission
//
// Creating a share checks the KYC against the partner's own rules first and answers every problem
// at once (a *kyc.ValidationError naming kycd's field and the partner's); nothing is sent then. The
// share, its share-queued event and a River job (SubmitArgs) commit in one transaction. The job
// makes the partner's calls in order. A 5xx, a timeout or a refused connection is retried after
// Config.Retries; a 429 snoozes the job for its Retry-After; the partner refusing the input (a
// validation error in its envelope) fails the share at once. Every retry is the same submission:
// the request number (the share id) is the same, and the steps the partner took (uploaded file
// ids, the submission itself) are journaled in the share, so a retry skips them. Where the
// partner's answer may have been lost after it did the work, the connector asks the partner's
// status before sending again. So a partner never gets a duplicate.
//
// # Status
//
// Partners call back on POST /v1/partner-callbacks/{partner} about live shares, and sandboxes on
// POST /v1/partner-callbacks/test/{partner} about test shares (CallbackPath); a callback is looked
// up in its path's environment only. The connector verifies what the
// partner signs (Interlace's HMAC Signature header, Saintpay's RSA headers) and maps its status
// words; a callback that is not signed (Alchemy Pay), or whose signature does not cover its body
// (Saintpay), is believed only after a status query confirms it. A poll job (PollArgs) asks the
// partner every Config.PollInterval as well, so a status that never arrives by callback is still
// picked up. Each status change writes its event (share-submitted, share-approved, ...), delivered
// by webhook.
//
// A signed callback that a share has taken is remembered in the share (Callback.ReplayKey) for
// Config.ReplayWindow and ignored when it comes again; one older than Config.CallbackMaxAge by its
// own timestamp is refused; an unsigned one leads to at most one status query per share per
// Config.ConfirmInterval, so a flood of them costs the partner nothing.
//
// # Environments
//
// Each environment has its own connectors (Partners): live shares go with the live settings, test
// shares with the partner's sandbox settings, and a partner without sandbox settings refuses test
// shares. So test data, and the unapproved applicants a test key may force, never reach a partner
// with live credentials.
//
// # Logs
//
// Every partner call is logged with its method, path, status and duration, and its JSON bodies with
// every value redacted except status words, codes and ids (Redact). Credentials are never logged.
package share
