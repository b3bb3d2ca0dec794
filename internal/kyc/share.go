package kyc

import "time"

// Share is an applicant's KYC sent to one partner (Interlace, Alchemy Pay, Saintpay). RequestNo is
// kycd's idempotency key towards the partner: the same on every retry, so the partner never gets a
// duplicate. Reference is the partner's own id (Interlace accountId, Alchemy Pay requestNo,
// Saintpay userId).
type Share struct {
	ID            string            `json:"id"`
	Env           Env               `json:"environment"`
	ApplicantID   string            `json:"applicantId"`
	Partner       string            `json:"partner" enum:"interlace,alchemypay,saintpay"`
	Status        string            `json:"status" enum:"queued,submitted,approved,rejected,needs-info,failed"`
	Mode          string            `json:"mode" enum:"new,update,reNew" doc:"Saintpay's type: new, or update/reNew of an earlier share; new for the others"`
	Options       map[string]string `json:"options,omitempty"`
	RequestNo     string            `json:"requestNo" doc:"kycd's idempotency key towards the partner, the same on every retry"`
	Reference     string            `json:"reference,omitempty" doc:"The partner's reference: Interlace accountId, Alchemy Pay requestNo, Saintpay userId"`
	PartnerStatus string            `json:"partnerStatus,omitempty" doc:"The partner's own status word, as last seen"`
	Message       string            `json:"message,omitempty" doc:"The partner's rejection or needs-info message"`
	Attempts      int               `json:"attempts"`
	LastError     string            `json:"lastError,omitempty"`
	// ApplicantRevision is the applicant's revision that was shared.
	ApplicantRevision int64     `json:"applicantRevision"`
	Revision          int64     `json:"revision"`
	CreatedTime       time.Time `json:"createdTime"`
	UpdatedTime       time.Time `json:"updatedTime"`
}

// Partners are the partners kycd can share KYC with.
var Partners = []string{"interlace", "alchemypay", "saintpay"}

// ShareStatuses: queued until the submission job has sent it, submitted while the partner reviews,
// then approved, rejected or needs-info (the partner asks for more documents); failed when kycd
// could not submit it (the partner refused its input, or every retry failed).
var ShareStatuses = []string{"queued", "submitted", "approved", "rejected", "needs-info", "failed"}

// FinalShareStatus reports whether a share in status s no longer changes by itself.
func FinalShareStatus(s string) bool { return s == "approved" || s == "rejected" || s == "failed" }

// Share event types: a share moved to that status.
const (
	EventShareQueued    = "share-queued"
	EventShareSubmitted = "share-submitted"
	EventShareApproved  = "share-approved"
	EventShareRejected  = "share-rejected"
	EventShareNeedsInfo = "share-needs-info"
	EventShareFailed    = "share-failed"
)

// ShareEvents names the event of each share status.
var ShareEvents = map[string]string{
	"queued": EventShareQueued, "submitted": EventShareSubmitted, "approved": EventShareApproved,
	"rejected": EventShareRejected, "needs-info": EventShareNeedsInfo, "failed": EventShareFailed,
}
