package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// Signer makes and checks HMAC-SHA256 signed, expiring tokens: applicant tokens and the gatherer
// links of KYC requests. Its key is derived from the master key for this one purpose.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner returns a signer with a 32-byte key.
func NewSigner(key []byte) *Signer {
	return &Signer{key: append([]byte(nil), key...), now: time.Now}
}

// ApplicantClaims is what an applicant token grants: the end-user endpoints of one applicant in one
// environment, until Expires.
type ApplicantClaims struct {
	Purpose     string  `json:"p"`
	Env         kyc.Env `json:"e"`
	ApplicantID string  `json:"a"`
	RequestID   string  `json:"r,omitempty"`
	Expires     int64   `json:"x"`
	// IssuedAt is when the token was signed, in Unix milliseconds (Sign sets it); tokens signed
	// before it existed carry 0, so any revocation refuses them.
	IssuedAt int64 `json:"i,omitempty"`
}

// Token purposes keep an applicant token from being used as a gatherer link and back.
const (
	PurposeApplicant = "applicant"
	PurposeGatherer  = "gatherer"
)

// Sign returns a token for the claims, issued now: "kyct_" + base64url(JSON) + "." + base64url(HMAC).
func (s *Signer) Sign(c ApplicantClaims) string {
	c.IssuedAt = s.now().UnixMilli()
	body, _ := json.Marshal(c) // a struct of strings and ints always marshals
	payload := base64.RawURLEncoding.EncodeToString(body)
	return "kyct_" + payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Verify checks a token's signature, purpose and expiry and returns its claims.
func (s *Signer) Verify(token, purpose string) (ApplicantClaims, error) {
	var c ApplicantClaims
	rest, ok := strings.CutPrefix(token, "kyct_")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(token) > 1024 {
		return c, fmt.Errorf("malformed token: %w", kyc.ErrUnauthenticated)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return c, fmt.Errorf("bad token signature: %w", kyc.ErrUnauthenticated)
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(body, &c) != nil {
		return c, fmt.Errorf("malformed token: %w", kyc.ErrUnauthenticated)
	}
	if c.Purpose != purpose {
		return c, fmt.Errorf("token is for %q: %w", c.Purpose, kyc.ErrUnauthenticated)
	}
	if s.now().Unix() >= c.Expires {
		return c, fmt.Errorf("token expired: %w", kyc.ErrUnauthenticated)
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}
