package saintpay_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/share/saintpay"
	"kycd/internal/share/saintpay/saintpaytest"
	"kycd/internal/share/sharetest"
)

// setup starts the fake and a file server standing in for kycd's signed links.
func setup(t *testing.T) (*saintpaytest.Server, *saintpay.Connector, *share.KYC) {
	t.Helper()
	fake := saintpaytest.New(t)
	img := sharetest.JPEG(t)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/broken") {
			_, _ = w.Write([]byte("not an image"))
			return
		}
		_, _ = w.Write(img)
	}))
	t.Cleanup(files.Close)
	cfg := fake.Config()
	cfg.HTTP = &http.Client{Timeout: 3 * time.Second}
	k := sharetest.KYC(t, "saintpay")
	for _, f := range k.Files {
		f.URL = files.URL + "/v1/share-files/" + f.ID
	}
	return fake, saintpay.New(cfg, nil), k
}

func TestShareCleanKYCThenUpdate(t *testing.T) {
	t.Parallel()
	fake, c, k := setup(t)
	if err := c.Validate(k); err != nil {
		t.Fatal(err)
	}
	out, err := c.Submit(context.Background(), k, sharetest.NewJournal())
	if err != nil {
		t.Fatal(err)
	}
	u, ok := fake.User(k.Applicant.ID)
	v := u.Request["kycIdentityInfoVo"].(map[string]any)
	if !ok || out.Reference != u.UserID || v["nationality"] != "USA" || v["idCountry"] != "USA" || v["kycLevel"] != "L1" || v["idType"] != "PASSPORT" ||
		u.FileBytes["frontFileUrl"] == 0 || u.FileBytes["selfieFileUrl"] == 0 {
		t.Fatalf("out %+v partner holds %+v", out, u)
	}
	k.Share.Reference = out.Reference
	fake.Decide(k.Applicant.ID, "dcumentRequire")
	if st, err := c.Status(context.Background(), k.Share); err != nil || st.Status != "needs-info" {
		t.Fatalf("status %+v %v", st, err)
	}
	// After the applicant changed, the same user is re-shared with reNew.
	k2 := *k
	k2.Share.Mode, k2.Share.RequestNo = "reNew", kyc.NewID(kyc.PrefixShare)
	if _, err := c.Submit(context.Background(), &k2, sharetest.NewJournal()); err != nil {
		t.Fatal(err)
	}
	if u, _ := fake.User(k.Applicant.ID); u.Shares != 2 || u.LastType != "reNew" || u.Status != "new" {
		t.Fatalf("after reNew: %+v", u)
	}
}

func TestValidationReportsEveryProblemWithoutACall(t *testing.T) {
	t.Parallel()
	fake, c, k := setup(t)
	k.Applicant.Profile.Nationality = ""
	k.Applicant.Level = "EU-L1"
	k.Identity.Identification.ExpiryDate = ""
	delete(k.Files, "face-proof")
	err := c.Validate(k)
	var ve *kyc.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	if fake.CallCount() != 0 {
		t.Fatalf("the partner was called: %v", fake.Calls)
	}
}

func TestFileURLMustServeAnImage(t *testing.T) {
	t.Parallel()
	_, c, k := setup(t)
	k.Files["id-front"].URL = strings.Replace(k.Files["id-front"].URL, k.Files["id-front"].ID, "broken", 1)
	_, err := c.Submit(context.Background(), k, sharetest.NewJournal())
	if !errors.Is(err, share.ErrRefused) || !strings.Contains(err.Error(), "frontFileUrl") {
		t.Fatalf("%v", err)
	}
}

func TestLostAnswerIsNotSentTwice(t *testing.T) {
	t.Parallel()
	fake, c, k := setup(t)
	fake.Plan.Add("/api/v1/user/kyc/share", sharetest.Answer{Status: 504, After: true})
	j := sharetest.NewJournal()
	_, err := c.Submit(context.Background(), k, j)
	var te *share.TemporaryError
	if !errors.As(err, &te) {
		t.Fatalf("504 must be temporary: %v", err)
	}
	j.N = 2
	if _, err := c.Submit(context.Background(), k, j); err != nil {
		t.Fatal(err)
	}
	if u, _ := fake.User(k.Applicant.ID); u.Shares != 1 {
		t.Fatalf("%d shares", u.Shares)
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	t.Parallel()
	fake, _, k := setup(t)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	cfg := fake.Config()
	cfg.PrivateKey = other
	_, err := saintpay.New(cfg, nil).Submit(context.Background(), k, sharetest.NewJournal())
	if !errors.Is(err, share.ErrRefused) || fake.BadSigned != 1 {
		t.Fatalf("%v, bad %d", err, fake.BadSigned)
	}
}

func TestCallbackSignature(t *testing.T) {
	t.Parallel()
	fake, c, _ := setup(t)
	body := []byte(`{"merchantUserId":"m-1","userId":"u1","kycStatus":"accept","status":"accept"}`)
	signed := func(key *rsa.PrivateKey, at time.Time) http.Header {
		ts := strconv.FormatInt(at.UnixMilli(), 10)
		sig, err := saintpay.Sign(key, fake.AppID, ts)
		if err != nil {
			t.Fatal(err)
		}
		return http.Header{"Appid": {fake.AppID}, "Timestamp": {ts}, "Signature": {sig}}
	}
	cb, err := c.Callback(signed(fake.PlatformKey, time.Now()), body)
	if err != nil || cb.Reference != "u1" || cb.Outcome.Status != "approved" || !cb.Confirm {
		t.Fatalf("%+v %v", cb, err)
	}
	for name, h := range map[string]http.Header{"another key": signed(fake.MerchantKey, time.Now()), "stale": signed(fake.PlatformKey, time.Now().Add(-time.Hour))} {
		if _, err := c.Callback(h, body); !errors.Is(err, kyc.ErrUnauthenticated) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
