package alchemypay_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/share/alchemypay"
	"kycd/internal/share/alchemypay/alchemypaytest"
	"kycd/internal/share/sharetest"
)

func setup(t *testing.T) (*alchemypaytest.Server, *alchemypay.Connector) {
	t.Helper()
	fake := alchemypaytest.New(t)
	cfg := fake.Config()
	cfg.HTTP = &http.Client{Timeout: 2 * time.Second}
	return fake, alchemypay.New(cfg, nil)
}

func TestSubmitCleanKYC(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "alchemypay")
	if err := c.Validate(k); err != nil {
		t.Fatal(err)
	}
	out, err := c.Submit(context.Background(), k, sharetest.NewJournal())
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "submitted" || out.Reference != k.Share.RequestNo {
		t.Fatalf("outcome %+v", out)
	}
	rec, ok := fake.Record(k.Share.RequestNo)
	if !ok || rec.Submitted != 1 || rec.Files["idFront"] == 0 || rec.Files["face"] == 0 || rec.KYCStatus != "reviewing" {
		t.Fatalf("partner holds %+v", rec)
	}
	ii := rec.Info["individualInfo"].(map[string]any)
	ad := ii["address"].(map[string]any)
	if ii["country"] != "US" || ad["country"] != "USA" || ii["gender"] != "2" || ii["idDocType"] != "2" || ad["ssn"] != "123456789" {
		t.Fatalf("mapping: %v", rec.Info)
	}
	fake.Decide(k.Share.RequestNo, "approved")
	st, err := c.Status(context.Background(), k.Share)
	if err != nil || st.Status != "approved" {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestValidIndefinitelyIs2099(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "alchemypay")
	k.Identity.Identification.ExpiryDate = ""
	if _, err := c.Submit(context.Background(), k, sharetest.NewJournal()); err != nil {
		t.Fatal(err)
	}
	rec, _ := fake.Record(k.Share.RequestNo)
	if got := rec.Info["individualInfo"].(map[string]any)["validUntil"]; got != "2099-01-01" {
		t.Fatalf("validUntil %v", got)
	}
}

// TestValidationReportsEveryProblemWithoutACall: every broken rule is named at once, and the
// partner hears nothing.
func TestValidationReportsEveryProblemWithoutACall(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "alchemypay")
	k.Applicant.Profile.FirstName = strings.Repeat("A", 36)
	k.Applicant.Profile.Gender = "other"
	k.Applicant.Profile.SSN = ""
	k.Applicant.Addresses[0].PostalCode = ""
	k.Identity.Subtype = "visa"
	delete(k.Files, "face-proof")
	k.Files["id-front"].MIME = "image/webp"
	err := c.Validate(k)
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	want := []string{"applicant.profile.firstName", "applicant.profile.gender", "applicant.profile.ssn", "applicant.addresses.postalCode",
		"document.subtype", "files.face-proof", "files.id-front"}
	for _, f := range want {
		found := false
		for _, got := range ve.Fields {
			found = found || got.Field == f
		}
		if !found {
			t.Errorf("no problem named %s in %v", f, ve.Fields)
		}
	}
	if n := fake.CallCount(); n != 0 {
		t.Fatalf("the partner was called: %v", fake.Calls)
	}
}

// TestLostAnswerIsNotSentTwice: the partner takes the information but its answer is a 502; the
// retry finds it by queryMerchantKyc and goes on, so there is exactly one submission.
func TestLostAnswerIsNotSentTwice(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	fake.Plan.Add("/open/api/kyc/share/information", sharetest.Answer{Status: 502, After: true})
	fake.Plan.Add("/open/api/kyc/share/merchantProcess", sharetest.Answer{Status: 503})
	k := sharetest.KYC(t, "alchemypay")
	j := sharetest.NewJournal()
	_, err := c.Submit(context.Background(), k, j)
	var te *share.TemporaryError
	if !errors.As(err, &te) {
		t.Fatalf("a 502 must be temporary: %v", err)
	}
	for j.N = 2; j.N < 5; j.N++ {
		if _, err = c.Submit(context.Background(), k, j); err == nil {
			break
		}
		if !errors.As(err, &te) {
			t.Fatalf("attempt %d: %v", j.N, err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := fake.Record(k.Share.RequestNo)
	if fake.Informations() != 1 || rec.Submitted != 1 || fake.Calls["/open/api/kyc/share/fileUpload"] != 2 {
		t.Fatalf("informations %d, approvals %d, uploads %d", fake.Informations(), rec.Submitted, fake.Calls["/open/api/kyc/share/fileUpload"])
	}
}

func TestTemporaryAndRefusedAnswers(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	fake.Plan.Add("/open/api/kyc/share/information", sharetest.Answer{Status: 429, RetryAfter: "7"}, sharetest.Answer{Delay: 3 * time.Second})
	k := sharetest.KYC(t, "alchemypay")
	_, err := c.Submit(context.Background(), k, sharetest.NewJournal())
	var te *share.TemporaryError
	if !errors.As(err, &te) || te.RetryAfter != 7*time.Second {
		t.Fatalf("rate limit: %v", err)
	}
	_, err = c.Submit(context.Background(), k, sharetest.NewJournal())
	if !errors.As(err, &te) {
		t.Fatalf("a slow answer must be temporary: %v", err)
	}
	// The partner's own validation error is a refusal, not retried.
	k2 := sharetest.KYC(t, "alchemypay")
	k2.Applicant.Addresses[0].State = ""
	_, err = c.Submit(context.Background(), k2, sharetest.NewJournal())
	if !errors.Is(err, share.ErrRefused) || errors.As(err, &te) || !strings.Contains(err.Error(), "state is required") {
		t.Fatalf("refusal: %v", err)
	}
}

func TestWrongSecretIsRefused(t *testing.T) {
	t.Parallel()
	fake := alchemypaytest.New(t)
	cfg := fake.Config()
	cfg.Secret = "not-the-secret"
	c := alchemypay.New(cfg, nil)
	_, err := c.Submit(context.Background(), sharetest.KYC(t, "alchemypay"), sharetest.NewJournal())
	if !errors.Is(err, share.ErrRefused) || fake.BadSigned != 1 || fake.Informations() != 0 {
		t.Fatalf("err %v, bad %d", err, fake.BadSigned)
	}
}

func TestCallbackMustBeConfirmed(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	cb, err := c.Callback(nil, []byte(`{"kycStatus":"approved","requestNo":"shr_X"}`))
	if err != nil || !cb.Confirm || cb.Reference != "shr_X" || cb.Outcome.Status != "approved" {
		t.Fatalf("%+v %v", cb, err)
	}
}
