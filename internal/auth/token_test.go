package auth

import (
	"errors"
	"testing"
	"time"

	"kycd/internal/kyc"
)

func TestSignerRefusesTamperedExpiredAndMisusedTokens(t *testing.T) {
	t.Parallel()
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	c := ApplicantClaims{Purpose: PurposeApplicant, Env: kyc.EnvTest, ApplicantID: "apl_x", Expires: now.Add(time.Minute).Unix()}
	tok := s.Sign(c)
	got, err := s.Verify(tok, PurposeApplicant)
	c.IssuedAt = now.UnixMilli() // Sign stamps it
	if err != nil || got != c {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	other := NewSigner([]byte("another key, another key, 32 byt"))
	for name, bad := range map[string]string{
		"tampered payload": tok[:10] + "A" + tok[11:],
		"other key":        other.Sign(c),
		"no prefix":        tok[5:],
		"empty":            "",
		"no signature":     tok[:len(tok)-44],
	} {
		if _, err := s.Verify(bad, PurposeApplicant); !errors.Is(err, kyc.ErrUnauthenticated) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := s.Verify(tok, PurposeGatherer); !errors.Is(err, kyc.ErrUnauthenticated) {
		t.Errorf("an applicant token passed as a gatherer link: %v", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := s.Verify(tok, PurposeApplicant); !errors.Is(err, kyc.ErrUnauthenticated) {
		t.Errorf("expired token accepted: %v", err)
	}
}
