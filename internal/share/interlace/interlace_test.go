package interlace_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/share/interlace"
	"kycd/internal/share/interlace/interlacetest"
	"kycd/internal/share/sharetest"
)

func setup(t *testing.T) (*interlacetest.Server, *interlace.Connector) {
	t.Helper()
	fake := interlacetest.New(t)
	cfg := fake.Config()
	cfg.HTTP = &http.Client{Timeout: 2 * time.Second}
	return fake, interlace.New(cfg, nil)
}

func TestSubmitCleanKYC(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "interlace")
	if err := c.Validate(k); err != nil {
		t.Fatal(err)
	}
	out, err := c.Submit(context.Background(), k, sharetest.NewJournal())
	if err != nil {
		t.Fatal(err)
	}
	acct := k.Share.Options["accountId"]
	a := fake.Account(acct)
	if out.Reference != acct || a.Submissions != 1 || a.KYC["idType"] != "PASSPORT" || a.KYC["gender"] != "F" || a.KYC["phoneCountryCode"] != "1" ||
		a.KYC["nationalId"] != "P1000001" || a.KYC["ssn"] != "123456789" || a.KYC["idBackFileId"] != nil {
		t.Fatalf("out %+v, partner holds %+v", out, a)
	}
	fake.Decide(acct, "Request", "a clearer selfie please")
	st, err := c.Status(context.Background(), k.Share)
	if err != nil || st.Status != "needs-info" || st.Message != "a clearer selfie please" {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestTokenIsRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	fake.TokenLife = 2 * time.Second
	k := sharetest.KYC(t, "interlace")
	if _, err := c.Submit(context.Background(), k, sharetest.NewJournal()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1700 * time.Millisecond) // past the refresh margin (a fifth of its life), before expiry
	if _, err := c.Status(context.Background(), k.Share); err != nil {
		t.Fatal(err)
	}
	if c.Authorizations() != 2 || fake.Refused != 0 {
		t.Fatalf("authorizations %d, refused %d", c.Authorizations(), fake.Refused)
	}
}

func TestValidationReportsEveryProblemWithoutACall(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "interlace")
	k.Share.Options = nil
	k.Applicant.Profile.DateOfBirth = time.Now().AddDate(-70, 0, 0).Format("2006-01-02")
	k.Applicant.Profile.Phone = &kyc.Phone{CountryCode: "1234", Number: "1234567890123456"}
	k.Applicant.Profile.SSN = "12345"
	k.Identity.Subtype, k.Identity.Identification.IssuingCountry = "id-card", "CN"
	err := c.Validate(k)
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	want := map[string]bool{"options.accountId": true, "applicant.profile.dateOfBirth": true, "applicant.profile.phone.number": true,
		"applicant.profile.phone.countryCode": true, "applicant.profile.ssn": true, "files.id-back": true}
	for _, f := range ve.Fields {
		delete(want, f.Field)
	}
	if len(want) > 0 {
		t.Fatalf("not named: %v in %v", want, ve.Fields)
	}
	if fake.CallCount() != 0 {
		t.Fatalf("the partner was called: %v", fake.Calls)
	}
}

func TestIDTypePerCountry(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	cases := []struct{ country, subtype, want string }{
		{"HK", "id-card", "HK-HKID"}, {"US", "driver-license", "DLN"}, {"DE", "residence-permit", "EU Residency Permit"}, {"AE", "residence-permit", "UAE Residency Permit"},
	}
	for i, tc := range cases {
		k := sharetest.KYC(t, "interlace")
		k.Share.Options["accountId"] = "00000000-0000-4000-8000-00000000000" + string(rune('1'+i))
		k.Identity.Subtype, k.Identity.Identification.IssuingCountry = tc.subtype, tc.country
		if err := c.Validate(k); err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		if _, err := c.Submit(context.Background(), k, sharetest.NewJournal()); err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		a := fake.Account(k.Share.Options["accountId"])
		if a.KYC["idType"] != tc.want || a.KYC["idBackFileId"] != a.KYC["idFrontFileId"] {
			t.Fatalf("%v: sent %v", tc, a.KYC)
		}
	}
	k := sharetest.KYC(t, "interlace")
	k.Identity.Subtype, k.Identity.Identification.IssuingCountry = "residence-permit", "TH"
	if err := c.Validate(k); err == nil {
		t.Fatal("a Thai residence permit has no Interlace idType")
	}
}

// TestLostAnswerIsNotSentTwice: the KYC is taken but the answer is a 500; the retry finds it
// Pending and does not use the account's second submission of the day.
func TestLostAnswerIsNotSentTwice(t *testing.T) {
	t.Parallel()
	fake, c := setup(t)
	k := sharetest.KYC(t, "interlace")
	acct := k.Share.Options["accountId"]
	fake.Plan.Add("/open-api/v3/accounts/"+acct+"/kyc", sharetest.Answer{Status: 500, After: true})
	j := sharetest.NewJournal()
	_, err := c.Submit(context.Background(), k, j)
	var te *share.TemporaryError
	if !errors.As(err, &te) {
		t.Fatalf("500 must be temporary: %v", err)
	}
	j.N = 2
	if _, err := c.Submit(context.Background(), k, j); err != nil {
		t.Fatal(err)
	}
	if n := fake.Account(acct).Submissions; n != 1 {
		t.Fatalf("%d submissions", n)
	}
}

func TestCallbackSignature(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	res := `{"accountId":"acc-1","kycStatus":"Passed","message":""}`
	body := []byte(`{"id":"e1","eventType":"KYC.UPDATED","apiVersion":"v3","code":"000000","resource":` + quote(res) + `}`)
	h := http.Header{"Signature-Method": {"HMAC-SHA256"}, "Signature": {interlace.Sign("secret-test", res)}}
	cb, err := c.Callback(h, body)
	if err != nil || cb.Reference != "acc-1" || cb.Outcome.Status != "approved" || cb.Confirm {
		t.Fatalf("%+v %v", cb, err)
	}
	h.Set("Signature", interlace.Sign("wrong", res))
	if _, err := c.Callback(h, body); !errors.Is(err, kyc.ErrUnauthenticated) {
		t.Fatalf("bad signature: %v", err)
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		if r == '"' {
			b = append(b, '\\')
		}
		b = append(b, byte(r))
	}
	return string(append(b, '"'))
}

// TestLogsHoldNoPersonalDataNorSecrets: every call is logged, redacted.
func TestLogsHoldNoPersonalDataNorSecrets(t *testing.T) {
	t.Parallel()
	fake := interlacetest.New(t)
	var buf bytes.Buffer
	c := interlace.New(fake.Config(), slog.New(slog.NewJSONHandler(&buf, nil)))
	k := sharetest.KYC(t, "interlace")
	if _, err := c.Submit(context.Background(), k, sharetest.NewJournal()); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	if strings.Count(logs, `"msg":"partner call"`) < 5 {
		t.Fatalf("calls not logged: %s", logs)
	}
	for _, secret := range []string{"Eileen", "Collins", "1966-11-19", "P1000001", "123456789", "7135550123", "NASA", fake.ClientSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("%q in the logs", secret)
		}
	}
}
