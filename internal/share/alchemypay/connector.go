package alchemypay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/strictjson"
)

// Config configures the connector. URL, AppKey and Secret are required.
type Config struct {
	// URL is the API's base, such as https://openapi.alchemypay.org (KYCD_SHARE_ALCHEMYPAY_URL).
	URL string
	// AppKey is sent as ach-access-key (KYCD_SHARE_ALCHEMYPAY_APP_KEY).
	AppKey string
	// Secret signs every request (KYCD_SHARE_ALCHEMYPAY_SECRET). Never logged.
	Secret string
	// KYCPlatform is the kycPlatform sent when the share's options do not name one. Default "kycd".
	KYCPlatform string
	// HTTP sends the requests. Default a client with a 30 s timeout.
	HTTP *http.Client
}

// Connector is Alchemy Pay's share.Connector.
type Connector struct {
	cfg    Config
	client *share.Client
	now    func() time.Time
}

var _ share.Connector = (*Connector)(nil)

// New returns the connector; log receives one redacted line per call.
func New(cfg Config, log *slog.Logger) *Connector {
	if cfg.KYCPlatform == "" {
		cfg.KYCPlatform = "kycd"
	}
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	return &Connector{cfg: cfg, client: &share.Client{Partner: "alchemypay", HTTP: cfg.HTTP, Log: log}, now: time.Now}
}

// Partner is "alchemypay".
func (c *Connector) Partner() string { return "alchemypay" }

// Sign is ach-access-sign: Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath + body)),
// requestPath with its query string. A multipart upload signs an empty body.
func Sign(secret, timestamp, method, requestPath string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + strings.ToUpper(method) + requestPath))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// information is the body of POST /open/api/kyc/share/information. Empty values are omitted: the
// canonical form the partner signs drops null and "" values.
type information struct {
	RequestNo      string         `json:"requestNo"`
	Email          string         `json:"email"`
	KYCPlatform    string         `json:"kycPlatform"`
	HolderType     string         `json:"holderType"`
	CallbackURL    string         `json:"callbackUrl"`
	IndividualInfo individualInfo `json:"individualInfo"`
}

type individualInfo struct {
	FirstName  string  `json:"firstName"`
	LastName   string  `json:"lastName"`
	DOB        string  `json:"dob"`
	Country    string  `json:"country"`
	Gender     string  `json:"gender"`
	IDDocType  string  `json:"idDocType"`
	Number     string  `json:"number"`
	ValidUntil string  `json:"validUntil"`
	IPAddress  string  `json:"ipAddress"`
	Address    address `json:"address"`
}

type address struct {
	Country string `json:"country"`
	State   string `json:"state"`
	City    string `json:"city"`
	Address string `json:"address"`
	ZipCode string `json:"zipCode"`
	SSN     string `json:"ssn,omitempty"`
}

// build maps the KYC to the information body (Mapping).
func (c *Connector) build(k *share.KYC) information {
	a, p := k.Applicant, k.Applicant.Profile
	in := information{RequestNo: k.Share.RequestNo, Email: a.Email, KYCPlatform: c.cfg.KYCPlatform, HolderType: "1", CallbackURL: k.CallbackURL}
	if v := k.Share.Options["kycPlatform"]; v != "" {
		in.KYCPlatform = v
	}
	ii := &in.IndividualInfo
	ii.FirstName, ii.LastName = first(p.FirstNameLatin, p.FirstName), first(p.LastNameLatin, p.LastName)
	ii.DOB, ii.Country, ii.Gender, ii.IPAddress = p.DateOfBirth, p.Nationality, genders[p.Gender], p.IPAddress
	if d := k.Identity; d != nil {
		ii.IDDocType = idDocTypes[d.Subtype]
		if d.Identification != nil {
			ii.Number, ii.ValidUntil = d.Identification.Number, first(d.Identification.ExpiryDate, indefinitely)
		}
	}
	if ad := share.ResidentialAddress(a); ad != nil {
		ii.Address = address{Country: kyc.CountryAlpha3(ad.Country), State: ad.State, City: ad.City,
			Address: strings.TrimSpace(ad.Line1 + " " + ad.Line2), ZipCode: ad.PostalCode}
	}
	if p.Nationality == "US" {
		ii.Address.SSN = p.SSN
	}
	return in
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// Validate checks the partner's rules: every mandatory field, lengths, gender and document type it
// can express, US SSN, and the files (idFront and face required; jpg or png; at most 5 MB).
func (c *Connector) Validate(k *share.KYC) error {
	r := share.Rules{Partner: "alchemypay"}
	in := c.build(k)
	ii := in.IndividualInfo
	p := k.Applicant.Profile
	r.MaxLen("requestNo", "requestNo", in.RequestNo, 64)
	if r.Require("applicant.email", "email", in.Email) {
		r.MaxLen("applicant.email", "email", in.Email, 64)
	}
	r.MaxLen("options.kycPlatform", "kycPlatform", in.KYCPlatform, 32)
	if r.Require("applicant.profile.firstName", "individualInfo.firstName", ii.FirstName) {
		r.MaxLen("applicant.profile.firstName", "individualInfo.firstName", ii.FirstName, 35)
	}
	if r.Require("applicant.profile.lastName", "individualInfo.lastName", ii.LastName) {
		r.MaxLen("applicant.profile.lastName", "individualInfo.lastName", ii.LastName, 35)
	}
	r.Require("applicant.profile.dateOfBirth", "individualInfo.dob", ii.DOB)
	r.Require("applicant.profile.nationality", "individualInfo.country", ii.Country)
	if ii.Gender == "" {
		r.Add("applicant.profile.gender", "individualInfo.gender", "required, male or female (1 or 2)")
	}
	r.Require("applicant.profile.ipAddress", "individualInfo.ipAddress", ii.IPAddress)
	if k.Identity == nil {
		r.Add("documents", "individualInfo.idDocType", "an identity document is required")
	} else {
		if ii.IDDocType == "" {
			r.Add("document.subtype", "individualInfo.idDocType", "must be id-card, passport, residence-permit or driver-license")
		}
		r.Require("document.identification.number", "individualInfo.number", ii.Number)
	}
	ad := ii.Address
	r.Require("applicant.addresses.country", "individualInfo.address.country", ad.Country)
	r.Require("applicant.addresses.state", "individualInfo.address.state", ad.State)
	r.Require("applicant.addresses.city", "individualInfo.address.city", ad.City)
	r.Require("applicant.addresses.line1", "individualInfo.address.address", ad.Address)
	r.Require("applicant.addresses.postalCode", "individualInfo.address.zipCode", ad.ZipCode)
	if p.Nationality == "US" {
		r.Require("applicant.profile.ssn", "individualInfo.address.ssn", ad.SSN)
	}
	for _, ft := range fileTypes {
		f := k.Files[ft.Tag]
		switch {
		case f == nil && ft.Type != "idBack":
			r.Add("files."+ft.Tag, "fileUpload "+ft.Type, "required: a file tagged %s on the identity document", ft.Tag)
		case f == nil:
		case f.MIME != "image/jpeg" && f.MIME != "image/png":
			r.Add("files."+ft.Tag, "fileUpload "+ft.Type, "must be jpg or png, not %s", f.MIME)
		case f.Size > maxFileBytes:
			r.Add("files."+ft.Tag, "fileUpload "+ft.Type, "at most 5 MB")
		}
	}
	return r.Err()
}

// envelope is every answer: {code "0", msg, model, traceId, success, error}.
type envelope struct {
	Code    json.RawMessage `json:"code"`
	Msg     string          `json:"msg"`
	Model   json.RawMessage `json:"model"`
	TraceID string          `json:"traceId"`
	Success bool            `json:"success"`
}

func (e envelope) ok() bool { return strings.Trim(string(e.Code), `"`) == "0" && e.Success }

// call signs and sends one request and reads the envelope; a partner's refusal wraps
// share.ErrRefused.
func (c *Connector) call(ctx context.Context, method, pathQuery, contentType string, body []byte, signBody bool) (envelope, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+pathQuery, nil)
	if err != nil {
		return envelope{}, fmt.Errorf("alchemypay: %w", err)
	}
	ts := strconv.FormatInt(c.now().UnixMilli(), 10)
	signed := body
	if !signBody {
		signed = nil
	}
	req.Header.Set("ach-access-key", c.cfg.AppKey)
	req.Header.Set("ach-access-timestamp", ts)
	req.Header.Set("ach-access-sign", Sign(c.cfg.Secret, ts, method, pathQuery, signed))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.client.Do(req, body)
	if err != nil {
		return envelope{}, err
	}
	var e envelope
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		return envelope{}, fmt.Errorf("alchemypay %s: answer %d is not its envelope: %w", pathQuery, resp.Status, share.ErrRefused)
	}
	if resp.Status/100 != 2 || !e.ok() {
		return e, fmt.Errorf("alchemypay %s: code %s: %s: %w", strings.Split(pathQuery, "?")[0], strings.Trim(string(e.Code), `"`), e.Msg, share.ErrRefused)
	}
	return e, nil
}

// Submit sends the information, each file, and submits for approval. Each step is journaled; on a
// retry the information step is first looked up by queryMerchantKyc, so a request the partner took
// before its answer was lost is not sent twice (its requestNo must be unique).
func (c *Connector) Submit(ctx context.Context, k *share.KYC, j share.Journal) (share.Outcome, error) {
	_, err := j.Step(ctx, "information", func() (string, error) {
		if j.Attempt() > 1 {
			if _, err := c.Status(ctx, k.Share); err == nil {
				return "taken", nil
			}
		}
		body, err := json.Marshal(c.build(k))
		if err != nil {
			return "", err
		}
		_, err = c.call(ctx, http.MethodPost, "/open/api/kyc/share/information", "application/json", body, true)
		return "sent", err
	})
	if err != nil {
		return share.Outcome{}, err
	}
	for _, ft := range fileTypes {
		f := k.Files[ft.Tag]
		if f == nil {
			continue
		}
		if _, err := j.Step(ctx, "file:"+ft.Type, func() (string, error) { return "sent", c.upload(ctx, k.Share.RequestNo, ft.Type, f) }); err != nil {
			return share.Outcome{}, err
		}
	}
	_, err = j.Step(ctx, "merchantProcess", func() (string, error) {
		_, err := c.call(ctx, http.MethodGet, "/open/api/kyc/share/merchantProcess?requestNo="+url.QueryEscape(k.Share.RequestNo), "", nil, true)
		return "sent", err
	})
	if err != nil {
		return share.Outcome{}, err
	}
	return share.Outcome{Status: "submitted", Reference: k.Share.RequestNo, PartnerStatus: "reviewing"}, nil
}

// upload sends one file: multipart file, requestNo, type.
func (c *Connector) upload(ctx context.Context, requestNo, typ string, f *share.File) error {
	data, err := f.Bytes(ctx)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("requestNo", requestNo)
	_ = mw.WriteField("type", typ)
	ext := map[string]string{"image/jpeg": "jpg", "image/png": "png"}[f.MIME]
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s.%s"`, typ, ext))
	h.Set("Content-Type", f.MIME)
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(data)
	_ = mw.Close()
	_, err = c.call(ctx, http.MethodPost, "/open/api/kyc/share/fileUpload", mw.FormDataContentType(), b.Bytes(), false)
	return err
}

// Status is queryMerchantKyc/{requestNo}.
func (c *Connector) Status(ctx context.Context, sh kyc.Share) (share.Outcome, error) {
	e, err := c.call(ctx, http.MethodPost, "/open/api/kyc/share/queryMerchantKyc/"+url.PathEscape(sh.RequestNo), "application/json", []byte("{}"), true)
	if err != nil {
		return share.Outcome{}, err
	}
	var m struct {
		KYCStatus string `json:"kycStatus"`
		RequestNo string `json:"requestNo"`
	}
	if len(e.Model) == 0 || string(e.Model) == "null" || json.Unmarshal(e.Model, &m) != nil || m.KYCStatus == "" {
		return share.Outcome{}, fmt.Errorf("alchemypay %s: %w", sh.RequestNo, share.ErrUnknown)
	}
	return share.Outcome{Status: share.MapStatus(statuses, m.KYCStatus), PartnerStatus: m.KYCStatus}, nil
}

// Callback reads {kycStatus, requestNo}. Alchemy Pay does not sign it, so it is marked Confirm: the
// service believes only what queryMerchantKyc answers.
func (c *Connector) Callback(_ http.Header, body []byte) (share.Callback, error) {
	var m struct {
		KYCStatus string `json:"kycStatus"`
		RequestNo string `json:"requestNo"`
	}
	if err := strictjson.Unmarshal(body, &m); err != nil || m.RequestNo == "" {
		return share.Callback{}, kyc.Invalid("body", "an Alchemy Pay callback is {kycStatus, requestNo}")
	}
	return share.Callback{Reference: m.RequestNo, Confirm: true, Outcome: share.Outcome{Status: share.MapStatus(statuses, m.KYCStatus), PartnerStatus: m.KYCStatus},
		Reply: []byte(`{"code":"0","msg":"success"}`), ReplyType: "application/json"}, nil
}
