package interlace

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/share"
	"kycd/internal/strictjson"
)

// Config configures the connector. URL, ClientID and ClientSecret are required.
type Config struct {
	// URL is the API's base (KYCD_SHARE_INTERLACE_URL).
	URL string
	// ClientID identifies kycd's integration (KYCD_SHARE_INTERLACE_CLIENT_ID).
	ClientID string
	// ClientSecret gets access tokens and verifies callbacks (KYCD_SHARE_INTERLACE_CLIENT_SECRET).
	// Never logged.
	ClientSecret string
	// HTTP sends the requests. Default a client with a 30 s timeout.
	HTTP *http.Client
}

// Connector is Interlace's share.Connector.
type Connector struct {
	cfg    Config
	client *share.Client
	tok    tokens
	now    func() time.Time
}

var _ share.Connector = (*Connector)(nil)

// New returns the connector; log receives one redacted line per call.
func New(cfg Config, log *slog.Logger) *Connector {
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	return &Connector{cfg: cfg, client: &share.Client{Partner: "interlace", HTTP: cfg.HTTP, Log: log}, now: time.Now}
}

// Partner is "interlace".
func (c *Connector) Partner() string { return "interlace" }

// envelope is every answer: {code "000000", message, data}.
type envelope struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// errUnauthorized is a refused access token.
var errUnauthorized = errors.New("access token refused")

// call sends one request (with the access token when auth) and decodes the envelope's data into
// out.
func (c *Connector) call(ctx context.Context, method, pathQuery string, body []byte, contentType string, auth bool, out any) error {
	for try := 0; ; try++ {
		req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+pathQuery, nil)
		if err != nil {
			return fmt.Errorf("interlace: %w", err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		var token string
		if auth {
			if token, err = c.accessToken(ctx); err != nil {
				return err
			}
			req.Header.Set("x-access-token", token)
		}
		resp, err := c.client.Do(req, body)
		if err != nil {
			return err
		}
		var e envelope
		if err := json.Unmarshal(resp.Body, &e); err != nil {
			return fmt.Errorf("interlace %s: answer %d is not its envelope: %w", req.URL.Path, resp.Status, share.ErrRefused)
		}
		if resp.Status == http.StatusUnauthorized && auth && try == 0 {
			c.forget(token) // expired or revoked early: one new token, one more try
			continue
		}
		if resp.Status/100 != 2 || e.Code != "000000" {
			if resp.Status == http.StatusUnauthorized {
				return fmt.Errorf("interlace %s: %s: %w: %w", req.URL.Path, e.Message, errUnauthorized, share.ErrRefused)
			}
			return fmt.Errorf("interlace %s: code %s: %s: %w", req.URL.Path, e.Code, e.Message, share.ErrRefused)
		}
		if out != nil && len(e.Data) > 0 {
			if err := json.Unmarshal(e.Data, out); err != nil {
				return fmt.Errorf("interlace %s: data: %w", req.URL.Path, err)
			}
		}
		return nil
	}
}

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
)

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// docType is the document's idType, "" when Interlace has none for it.
func docType(k *share.KYC) string {
	if k.Identity == nil || k.Identity.Identification == nil {
		return ""
	}
	return idType(k.Identity.Identification.IssuingCountry, k.Identity.Subtype)
}

// Validate checks Interlace's rules: the account, required fields, age 18-65, the phone's lengths,
// the US SSN, an idType for the document's country, and the files.
func (c *Connector) Validate(k *share.KYC) error {
	r := share.Rules{Partner: "interlace"}
	p := k.Applicant.Profile
	if !uuidRE.MatchString(k.Share.Options["accountId"]) {
		r.Add("options.accountId", "accountId", "required: the UUID of the Interlace account")
	}
	r.Require("applicant.profile.firstName", "firstName", first(p.FirstNameLatin, p.FirstName))
	r.Require("applicant.profile.lastName", "lastName", first(p.LastNameLatin, p.LastName))
	if r.Require("applicant.profile.dateOfBirth", name("dob"), p.DateOfBirth) {
		if age, ok := share.Age(p.DateOfBirth, c.now()); !ok || age < minAge || age > maxAge {
			r.Add("applicant.profile.dateOfBirth", name("dob"), "the applicant must be %d to %d years old", minAge, maxAge)
		}
	}
	if genders[p.Gender] == "" {
		r.Add("applicant.profile.gender", "gender", "required, male or female (M or F)")
	}
	r.Require("applicant.profile.nationality", "nationality", p.Nationality)
	if p.Nationality == "US" && (len(p.SSN) != 9 || !digitsRE.MatchString(p.SSN)) {
		r.Add("applicant.profile.ssn", "ssn", "9 digits, required for US nationals")
	}
	switch {
	case p.Phone == nil:
		r.Add("applicant.profile.phone", "phoneNumber", "required")
	default:
		if !digitsRE.MatchString(p.Phone.Number) || len(p.Phone.Number) > 15 {
			r.Add("applicant.profile.phone.number", "phoneNumber", "digits only, at most 15, without the country code")
		}
		if cc := strings.TrimPrefix(p.Phone.CountryCode, "+"); !digitsRE.MatchString(cc) || len(cc) > 3 {
			r.Add("applicant.profile.phone.countryCode", "phoneCountryCode", "digits only, at most 3, no +")
		}
	}
	ad := share.ResidentialAddress(k.Applicant)
	if ad == nil {
		r.Add("applicant.addresses", "address", "required")
	} else {
		r.Require("applicant.addresses.line1", "address.addressLine1", ad.Line1)
		r.Require("applicant.addresses.city", "address.city", ad.City)
		r.Require("applicant.addresses.country", "address.country", ad.Country)
	}
	if k.Identity == nil || k.Identity.Identification == nil {
		r.Add("documents", "idType", "an identity document is required")
		return r.Err()
	}
	id := k.Identity.Identification
	t := docType(k)
	if t == "" {
		r.Add("document.subtype", "idType", "Interlace takes no %s issued by %s", k.Identity.Subtype, id.IssuingCountry)
	}
	r.Require("document.identification.number", name("idNumber"), id.Number)
	r.Require("document.identification.issueDate", "idIssueDate", id.IssueDate)
	r.Require("document.identification.expiryDate", "idExpiryDate", id.ExpiryDate)
	if k.Files["id-front"] == nil {
		r.Add("files.id-front", "idFrontFileId", "required: a file tagged id-front on the identity document")
	}
	if k.Files["face-proof"] == nil {
		r.Add("files.face-proof", "selfieFileId", "required: a file tagged face-proof on the identity document")
	}
	if t == "CN-RIC" && k.Files["id-back"] == nil {
		r.Add("files.id-back", "idBackFileId", "required for a mainland China ID card")
	}
	return r.Err()
}

// Submit gets a token, uploads the files (each journaled), and submits the KYC. On a retry the
// submission is first looked up by status, so KYC the partner took before its answer was lost is
// not sent again (Interlace allows two submissions per account per 24 hours).
func (c *Connector) Submit(ctx context.Context, k *share.KYC, j share.Journal) (share.Outcome, error) {
	if k.Identity == nil || k.Identity.Identification == nil {
		return share.Outcome{}, fmt.Errorf("interlace: no identity document: %w", share.ErrRefused)
	}
	account := k.Share.Options["accountId"]
	ids := map[string]string{}
	for _, tag := range []string{"id-front", "id-back", "face-proof"} {
		f := k.Files[tag]
		if f == nil {
			continue
		}
		id, err := j.Step(ctx, "file:"+tag, func() (string, error) { return c.upload(ctx, account, f) })
		if err != nil {
			return share.Outcome{}, err
		}
		ids[tag] = id
	}
	if ids["id-back"] == "" && k.Identity.Subtype != "passport" {
		ids["id-back"] = ids["id-front"] // "otherwise, reuse the front-side file ID"
	}
	_, err := j.Step(ctx, "kyc", func() (string, error) {
		if j.Attempt() > 1 {
			if out, err := c.Status(ctx, k.Share); err == nil && out.PartnerStatus != "" {
				return "taken", nil
			}
		}
		body, err := json.Marshal(c.body(k, ids))
		if err != nil {
			return "", err
		}
		return "sent", c.call(ctx, http.MethodPost, "/open-api/v3/accounts/"+url.PathEscape(account)+"/kyc", body, "application/json", true, nil)
	})
	if err != nil {
		return share.Outcome{}, err
	}
	return share.Outcome{Status: "submitted", Reference: account, PartnerStatus: "Pending"}, nil
}

// body maps the KYC to the submission (Mapping, Names).
func (c *Connector) body(k *share.KYC, files map[string]string) map[string]any {
	p, id := k.Applicant.Profile, k.Identity.Identification
	b := map[string]any{
		"firstName": first(p.FirstNameLatin, p.FirstName), "lastName": first(p.LastNameLatin, p.LastName),
		name("dob"): p.DateOfBirth, "gender": genders[p.Gender], "nationality": p.Nationality,
		name("idNumber"): id.Number, "idType": docType(k), "idIssueDate": id.IssueDate, "idExpiryDate": id.ExpiryDate,
		"idFrontFileId": files["id-front"], "selfieFileId": files["face-proof"], "kycSource": "api",
		"phoneNumber": p.Phone.Number, "phoneCountryCode": strings.TrimPrefix(p.Phone.CountryCode, "+"),
	}
	if files["id-back"] != "" {
		b["idBackFileId"] = files["id-back"]
	}
	for k, v := range map[string]string{"occupation": p.Occupation, "annualSalary": p.AnnualSalary, "accountPurpose": p.AccountPurpose,
		name("expectedMonthlySpend"): p.ExpectedMonthlySpend} {
		if v != "" {
			b[k] = v
		}
	}
	if p.Nationality == "US" {
		b["ssn"] = p.SSN
	}
	if ad := share.ResidentialAddress(k.Applicant); ad != nil {
		b["address"] = map[string]string{"addressLine1": ad.Line1, "addressLine2": ad.Line2, "city": ad.City, "state": ad.State,
			"postalCode": ad.PostalCode, "country": ad.Country}
	}
	return b
}

// upload sends one file (multipart files[] and accountId) and returns its file id.
func (c *Connector) upload(ctx context.Context, account string, f *share.File) (string, error) {
	data, err := f.Bytes(ctx)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("accountId", account)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename="%s"`, f.Tag+map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}[f.MIME]))
	h.Set("Content-Type", f.MIME)
	w, _ := mw.CreatePart(h)
	_, _ = w.Write(data)
	_ = mw.Close()
	var out []json.RawMessage
	if err := c.call(ctx, http.MethodPost, "/open-api/v3/files/upload", b.Bytes(), mw.FormDataContentType(), true, &out); err != nil {
		return "", err
	}
	if len(out) != 1 {
		return "", fmt.Errorf("interlace upload: %d file ids for one file: %w", len(out), share.ErrRefused)
	}
	var id string
	if json.Unmarshal(out[0], &id) != nil {
		var obj struct {
			ID     string `json:"id"`
			FileID string `json:"fileId"`
		}
		_ = json.Unmarshal(out[0], &obj)
		id = first(obj.FileID, obj.ID)
	}
	if id == "" {
		return "", fmt.Errorf("interlace upload: no file id: %w", share.ErrRefused)
	}
	return id, nil
}

// kycState is the resource of a status answer and of a callback.
type kycState struct {
	AccountID string `json:"accountId"`
	KYCStatus string `json:"kycStatus"`
	Message   string `json:"message"`
}

// Status is GET /open-api/v3/accounts/{accountId}/kyc. Na (nothing submitted) is share.ErrUnknown.
func (c *Connector) Status(ctx context.Context, sh kyc.Share) (share.Outcome, error) {
	account := first(sh.Reference, sh.Options["accountId"])
	var st kycState
	if err := c.call(ctx, http.MethodGet, "/open-api/v3/accounts/"+url.PathEscape(account)+"/kyc", nil, "", true, &st); err != nil {
		return share.Outcome{}, err
	}
	if st.KYCStatus == "" || st.KYCStatus == "Na" {
		return share.Outcome{}, fmt.Errorf("interlace account %s: %w", account, share.ErrUnknown)
	}
	return share.Outcome{Status: share.MapStatus(statuses, st.KYCStatus), PartnerStatus: st.KYCStatus, Message: st.Message}, nil
}

// Sign is the callback signature: Base64(HMAC-SHA256(clientSecret, resource)).
func Sign(secret, resource string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(resource))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Callback verifies the Signature header over the resource string and reads the KYC status.
func (c *Connector) Callback(h http.Header, body []byte) (share.Callback, error) {
	var ev struct {
		ID        string `json:"id"`
		EventType string `json:"eventType"`
		Resource  string `json:"resource"`
	}
	if err := strictjson.Unmarshal(body, &ev); err != nil || ev.Resource == "" {
		return share.Callback{}, kyc.Invalid("body", "an Interlace callback is {id, eventType, resource, ...}")
	}
	if h.Get("Signature-Method") != "HMAC-SHA256" || !hmac.Equal([]byte(h.Get("Signature")), []byte(Sign(c.cfg.ClientSecret, ev.Resource))) {
		return share.Callback{}, fmt.Errorf("interlace callback signature: %w", kyc.ErrUnauthenticated)
	}
	var st kycState
	if err := strictjson.Unmarshal([]byte(ev.Resource), &st); err != nil || st.AccountID == "" {
		return share.Callback{}, kyc.Invalid("body.resource", "an Interlace KYC resource names its accountId")
	}
	sent, err := sentAt(h.Get("Timestamp"))
	if err != nil {
		return share.Callback{}, err
	}
	return share.Callback{Reference: st.AccountID, Outcome: share.Outcome{Status: share.MapStatus(statuses, st.KYCStatus), PartnerStatus: st.KYCStatus, Message: st.Message},
		ReplayKey: replayKey(ev.Resource, h.Get("Signature")), Sent: sent,
		Reply: []byte(`{"received":true}`), ReplyType: "application/json"}, nil
}

// replayKey names a callback by what Interlace signs: the resource string and its signature. The
// event's id and times are outside the signature, so a replay can change them; it cannot change
// these.
func replayKey(resource, signature string) string {
	sum := sha256.Sum256([]byte("interlace\x00" + resource + "\x00" + signature))
	return "interlace:" + hex.EncodeToString(sum[:])
}

// sentAt reads the Timestamp header (Unix milliseconds); zero when it is absent.
func sentAt(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, kyc.Invalid("header.Timestamp", "Unix time in milliseconds")
	}
	return time.UnixMilli(ms), nil
}
