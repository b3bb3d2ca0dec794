package saintpay

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/strictjson"
)

// Config configures the connector. Every field but HTTP is required.
type Config struct {
	// URL is the API's base (KYCD_SHARE_SAINTPAY_URL).
	URL string
	// AppID is the merchant's appId (KYCD_SHARE_SAINTPAY_APP_ID).
	AppID string
	// PrivateKey signs requests (KYCD_SHARE_SAINTPAY_PRIVATE_KEY_FILE, PEM). Never logged.
	PrivateKey *rsa.PrivateKey
	// PlatformPublicKey verifies callbacks (KYCD_SHARE_SAINTPAY_PLATFORM_PUBLIC_KEY_FILE, PEM).
	PlatformPublicKey *rsa.PublicKey
	// HTTP sends the requests. Default a client with a 30 s timeout.
	HTTP *http.Client
}

// Connector is Saintpay's share.Connector.
type Connector struct {
	cfg    Config
	client *share.Client
	now    func() time.Time
}

var _ share.Connector = (*Connector)(nil)

// New returns the connector; log receives one redacted line per call.
func New(cfg Config, log *slog.Logger) *Connector {
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	return &Connector{cfg: cfg, client: &share.Client{Partner: "saintpay", HTTP: cfg.HTTP, Log: log}, now: time.Now}
}

// Partner is "saintpay".
func (c *Connector) Partner() string { return "saintpay" }

// Request is the body of /api/v1/user/kyc/share.
type Request struct {
	MerchantUserID    string       `json:"merchantUserId"`
	KYCType           string       `json:"kycType"`
	RegisterTime      string       `json:"registerTime,omitempty"`
	KYCIdentityInfoVo IdentityInfo `json:"kycIdentityInfoVo"`
	Type              string       `json:"type,omitempty"`
	CallbackURL       string       `json:"callbackUrl,omitempty"`
}

// IdentityInfo is kycIdentityInfoVo.
type IdentityInfo struct {
	FirstName          string `json:"firstName"`
	MiddleName         string `json:"middleName,omitempty"`
	LastName           string `json:"lastName"`
	FirstNameEn        string `json:"firstNameEn,omitempty"`
	MiddleNameEn       string `json:"middleNameEn,omitempty"`
	LastNameEn         string `json:"lastNameEn,omitempty"`
	Gender             string `json:"gender"`
	IDType             string `json:"idType"`
	IDNumber           string `json:"idNumber"`
	Nationality        string `json:"nationality"`
	ResidentialCountry string `json:"residentialCountry"`
	IDCountry          string `json:"idCountry"`
	DOB                string `json:"dob"`
	IDExpiry           string `json:"idExpiry"`
	Street             string `json:"street,omitempty"`
	District           string `json:"district,omitempty"`
	City               string `json:"city,omitempty"`
	State              string `json:"state,omitempty"`
	Zip                string `json:"zip,omitempty"`
	Address            string `json:"address,omitempty"`
	FrontFileURL       string `json:"frontFileUrl"`
	BackFileURL        string `json:"backFileUrl,omitempty"`
	SelfieFileURL      string `json:"selfieFileUrl"`
	KYCTime            string `json:"kycTime,omitempty"`
	KYCLevel           string `json:"kycLevel"`
	AccountPurpose     string `json:"accountPurpose,omitempty"`
	MonthSpend         string `json:"monthSpend,omitempty"`
	SourceFunds        string `json:"sourceFunds,omitempty"`
	Occupation         string `json:"occupation,omitempty"`
}

const stamp = "2006-01-02 15:04:05"

func merchantUserID(a kyc.Applicant) string {
	if a.ExternalID != "" {
		return a.ExternalID
	}
	return a.ID
}

// build maps the KYC to the request (Mapping).
func (c *Connector) build(k *share.KYC) Request {
	a, p := k.Applicant, k.Applicant.Profile
	reg := a.CreatedTime
	if p.RegisteredAt != nil {
		reg = *p.RegisteredAt
	}
	r := Request{MerchantUserID: merchantUserID(a), KYCType: "USER", RegisterTime: reg.UTC().Format(stamp), Type: k.Share.Mode, CallbackURL: k.CallbackURL}
	if reg.IsZero() {
		r.RegisterTime = ""
	}
	v := &r.KYCIdentityInfoVo
	v.FirstName, v.MiddleName, v.LastName = p.FirstName, p.MiddleName, p.LastName
	v.FirstNameEn, v.MiddleNameEn, v.LastNameEn = p.FirstNameLatin, p.MiddleNameLatin, p.LastNameLatin
	v.Gender, v.DOB = genders[p.Gender], p.DateOfBirth
	v.Nationality = kyc.CountryAlpha3(p.Nationality)
	ad := share.ResidentialAddress(a)
	res := p.CountryOfResidence
	if res == "" && ad != nil {
		res = ad.Country
	}
	v.ResidentialCountry = kyc.CountryAlpha3(res)
	if ad != nil {
		v.Street, v.District, v.City, v.State, v.Zip = ad.Line1, ad.District, ad.City, ad.State, ad.PostalCode
		v.Address = strings.TrimSpace(ad.Line1 + " " + ad.Line2)
	}
	if d := k.Identity; d != nil {
		v.IDType = idTypes[d.Subtype]
		if id := d.Identification; id != nil {
			v.IDNumber, v.IDCountry, v.IDExpiry = id.Number, kyc.CountryAlpha3(id.IssuingCountry), id.ExpiryDate
		}
		if d.Decision != nil {
			v.KYCTime = d.Decision.DecidedTime.UTC().Format(stamp)
		}
	}
	for tag, dst := range map[string]*string{"id-front": &v.FrontFileURL, "id-back": &v.BackFileURL, "face-proof": &v.SelfieFileURL} {
		if f := k.Files[tag]; f != nil {
			*dst = f.URL
		}
	}
	v.KYCLevel = levels[a.Level]
	if l := k.Share.Options["kycLevel"]; l != "" {
		v.KYCLevel = l
	}
	v.AccountPurpose, v.MonthSpend, v.SourceFunds, v.Occupation = p.AccountPurpose, p.ExpectedMonthlySpend, p.SourceOfFunds, p.Occupation
	return r
}

// Validate checks Saintpay's required fields, its enums and the alpha-3 countries.
func (c *Connector) Validate(k *share.KYC) error {
	r := share.Rules{Partner: "saintpay"}
	req := c.build(k)
	v := req.KYCIdentityInfoVo
	r.Require("applicant.profile.firstName", "kycIdentityInfoVo.firstName", v.FirstName)
	r.Require("applicant.profile.lastName", "kycIdentityInfoVo.lastName", v.LastName)
	if v.Gender == "" {
		r.Add("applicant.profile.gender", "kycIdentityInfoVo.gender", "required, male or female (M or F)")
	}
	r.Require("applicant.profile.dateOfBirth", "kycIdentityInfoVo.dob", v.DOB)
	if v.Nationality == "" {
		r.Add("applicant.profile.nationality", "kycIdentityInfoVo.nationality", "required, a country with an ISO 3166-1 alpha-3 code")
	}
	if v.ResidentialCountry == "" {
		r.Add("applicant.profile.countryOfResidence", "kycIdentityInfoVo.residentialCountry", "required (or a residential address), a country with an alpha-3 code")
	}
	if !kyc.OneOf(v.KYCLevel, []string{"L0", "L1", "L2"}) {
		r.Add("applicant.level", "kycIdentityInfoVo.kycLevel", "must be L0, L1 or L2; level %q has no Saintpay equivalent (set options.kycLevel)", k.Applicant.Level)
	}
	if k.Identity == nil || k.Identity.Identification == nil {
		r.Add("documents", "kycIdentityInfoVo.idType", "an identity document is required")
		return r.Err()
	}
	if v.IDType == "" {
		r.Add("document.subtype", "kycIdentityInfoVo.idType", "must be passport, driver-license, visa, id-card or residence-permit")
	}
	r.Require("document.identification.number", "kycIdentityInfoVo.idNumber", v.IDNumber)
	if v.IDCountry == "" {
		r.Add("document.identification.issuingCountry", "kycIdentityInfoVo.idCountry", "required, a country with an alpha-3 code")
	}
	r.Require("document.identification.expiryDate", "kycIdentityInfoVo.idExpiry", v.IDExpiry)
	r.Require("files.id-front", "kycIdentityInfoVo.frontFileUrl", v.FrontFileURL)
	r.Require("files.face-proof", "kycIdentityInfoVo.selfieFileUrl", v.SelfieFileURL)
	return r.Err()
}

// envelope is every answer: {code "00000", data, msg, requestTime}.
type envelope struct {
	Code string          `json:"code"`
	Data json.RawMessage `json:"data"`
	Msg  string          `json:"msg"`
}

// call signs and sends one request and decodes the envelope's data into out. Code 99999 (system)
// is temporary; 00001 (auth) and 00002 (parameters) are refusals.
func (c *Connector) call(ctx context.Context, path string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL+path, nil)
	if err != nil {
		return fmt.Errorf("saintpay: %w", err)
	}
	ts := strconv.FormatInt(c.now().UnixMilli(), 10)
	sig, err := Sign(c.cfg.PrivateKey, c.cfg.AppID, ts)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("appId", c.cfg.AppID)
	req.Header.Set("timestamp", ts)
	req.Header.Set("signature", sig)
	resp, err := c.client.Do(req, b)
	if err != nil {
		return err
	}
	var e envelope
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		return fmt.Errorf("saintpay %s: answer %d is not its envelope: %w", path, resp.Status, share.ErrRefused)
	}
	switch {
	case e.Code == "99999":
		return share.Temporary(fmt.Errorf("saintpay %s: system error: %s", path, e.Msg), 0)
	case resp.Status/100 != 2 || e.Code != "00000":
		return fmt.Errorf("saintpay %s: code %s: %s: %w", path, e.Code, e.Msg, share.ErrRefused)
	}
	if out != nil && len(e.Data) > 0 {
		if err := json.Unmarshal(e.Data, out); err != nil {
			return fmt.Errorf("saintpay %s: data: %w", path, err)
		}
	}
	return nil
}

// Submit shares the KYC in one call. A new user is first looked up on a retry, so a share the
// platform took before its answer was lost is not sent again; update and reNew are idempotent.
func (c *Connector) Submit(ctx context.Context, k *share.KYC, j share.Journal) (share.Outcome, error) {
	userID, err := j.Step(ctx, "share", func() (string, error) {
		if j.Attempt() > 1 && k.Share.Mode == "new" {
			if st, err := c.account(ctx, map[string]string{"merchantUserId": merchantUserID(k.Applicant)}); err == nil && st.UserID != "" {
				return st.UserID, nil
			}
		}
		var out struct {
			UserID string `json:"userId"`
		}
		if err := c.call(ctx, "/api/v1/user/kyc/share", c.build(k), &out); err != nil {
			return "", err
		}
		return out.UserID, nil
	})
	if err != nil {
		return share.Outcome{}, err
	}
	return share.Outcome{Status: "submitted", Reference: userID, PartnerStatus: "new"}, nil
}

type accountStatus struct {
	UserID string `json:"userId"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// account is query-user-account-status by merchantUserId or userId.
func (c *Connector) account(ctx context.Context, by map[string]string) (accountStatus, error) {
	var st accountStatus
	err := c.call(ctx, "/api/v1/user/query-user-account-status", by, &st)
	return st, err
}

// Status is query-user-account-status for the share's userId.
func (c *Connector) Status(ctx context.Context, sh kyc.Share) (share.Outcome, error) {
	if sh.Reference == "" {
		return share.Outcome{}, fmt.Errorf("saintpay %s: no userId yet: %w", sh.ID, share.ErrUnknown)
	}
	st, err := c.account(ctx, map[string]string{"userId": sh.Reference})
	if err != nil {
		return share.Outcome{}, err
	}
	if st.Status == "" {
		return share.Outcome{}, fmt.Errorf("saintpay %s: %w", sh.ID, share.ErrUnknown)
	}
	return share.Outcome{Status: share.MapStatus(statuses, st.Status), PartnerStatus: st.Status, Reference: st.UserID, Message: st.Reason}, nil
}

// Callback verifies the platform's signature headers (appId, timestamp within 5 minutes,
// signature) and reads {merchantUserId, userId, kycStatus, status}. Because the signature does not
// cover the body, the callback is marked to be confirmed by a status query.
func (c *Connector) Callback(h http.Header, body []byte) (share.Callback, error) {
	ts := h.Get("timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || h.Get("appId") != c.cfg.AppID || time.Since(time.UnixMilli(ms)).Abs() > 5*time.Minute ||
		Verify(c.cfg.PlatformPublicKey, h.Get("appId"), ts, h.Get("signature")) != nil {
		return share.Callback{}, fmt.Errorf("saintpay callback signature: %w", kyc.ErrUnauthenticated)
	}
	var m struct {
		MerchantUserID string `json:"merchantUserId"`
		UserID         string `json:"userId"`
		KYCStatus      string `json:"kycStatus"`
		Status         string `json:"status"`
	}
	if err := strictjson.Unmarshal(body, &m); err != nil || m.UserID == "" {
		return share.Callback{}, kyc.Invalid("body", "a Saintpay callback is {merchantUserId, userId, kycStatus, status}")
	}
	word := m.Status
	if word == "" {
		word = m.KYCStatus
	}
	return share.Callback{Reference: m.UserID, Confirm: true, Outcome: share.Outcome{Status: share.MapStatus(statuses, word), PartnerStatus: word},
		Reply: []byte(`{"code":"00000","msg":"success"}`), ReplyType: "application/json"}, nil
}
