// Package interlacetest is a fake Interlace API on 127.0.0.1 that enforces the documented
// contract: the authorize code and access token flow (tokens expire), x-access-token on every API
// call, exact paths and methods, multipart files[] uploads of images or PDFs, the KYC body's
// required fields, enums and lengths (phone 15 digits, dialling code 3, SSN 9 digits for US), two
// KYC submissions per account per 24 hours, answers in its envelope {code "000000", message,
// data}, and callbacks signed with the client secret.
package interlacetest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kycd/internal/share/interlace"
	"kycd/internal/share/sharetest"
)

// Account is what the fake holds about one account.
type Account struct {
	// KYC is the last accepted body, KYCStatus and Message its review, Submissions how many were
	// accepted.
	KYC         map[string]any
	KYCStatus   string
	Message     string
	Submissions int
}

// Server is the fake partner.
type Server struct {
	*httptest.Server
	// ClientID and ClientSecret are the credentials the fake accepts and signs callbacks with.
	ClientID, ClientSecret string
	// TokenLife is how long access tokens live. Default 86400 s.
	TokenLife time.Duration
	// Plan holds planned failures per path.
	Plan sharetest.Plan

	mu       sync.Mutex
	codes    map[string]bool
	tokens   map[string]time.Time
	files    map[string]int
	accounts map[string]*Account
	// Calls counts calls per method and path (read with CallCount).
	Calls map[string]int
	// Refused counts calls refused for a missing, wrong or expired token.
	Refused int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{ClientID: "client-test", ClientSecret: "secret-test", TokenLife: 24 * time.Hour, codes: map[string]bool{},
		tokens: map[string]time.Time{}, files: map[string]int{}, accounts: map[string]*Account{}, Calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Plan.Serve(w, r, s.serve) }))
	t.Cleanup(s.Close)
	return s
}

// Config is the connector configuration that reaches this fake.
func (s *Server) Config() interlace.Config {
	return interlace.Config{URL: s.URL, ClientID: s.ClientID, ClientSecret: s.ClientSecret}
}

// Account returns a copy of what the fake holds for an account.
func (s *Server) Account(id string) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		return *a
	}
	return Account{KYCStatus: "Na"}
}

// Decide sets an account's KYC status (Pending, Request, Passed, Canceled) and message.
func (s *Server) Decide(id, status, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		a.KYCStatus, a.Message = status, message
	}
}

func (s *Server) answer(w http.ResponseWriter, status int, code, msg string, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "data": data})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.Calls[r.Method+" "+r.URL.Path]++
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/open-api/oauth/authorize":
		if r.URL.Query().Get("clientId") != s.ClientID {
			s.answer(w, http.StatusUnauthorized, "100001", "unknown clientId", nil)
			return
		}
		code := rand.Text()
		s.mu.Lock()
		s.codes[code] = true
		s.mu.Unlock()
		s.answer(w, http.StatusOK, "000000", "success", map[string]string{"code": code})
		return
	case r.Method == http.MethodPost && r.URL.Path == "/open-api/oauth/access-token":
		var in struct{ ClientID, ClientSecret, Code string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		s.mu.Lock()
		ok := s.codes[in.Code] && in.ClientID == s.ClientID && in.ClientSecret == s.ClientSecret
		delete(s.codes, in.Code)
		tok := rand.Text()
		if ok {
			s.tokens[tok] = time.Now().Add(s.TokenLife)
		}
		s.mu.Unlock()
		if !ok {
			s.answer(w, http.StatusUnauthorized, "100001", "invalid client credentials or code", nil)
			return
		}
		s.answer(w, http.StatusOK, "000000", "success", map[string]any{"accessToken": tok, "expiresIn": int64(s.TokenLife / time.Second)})
		return
	}
	s.mu.Lock()
	exp, ok := s.tokens[r.Header.Get("x-access-token")]
	if !ok || time.Now().After(exp) {
		s.Refused++
		s.mu.Unlock()
		s.answer(w, http.StatusUnauthorized, "100002", "access token invalid or expired", nil)
		return
	}
	s.mu.Unlock()
	account, isKYC := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/open-api/v3/accounts/"), "/kyc")
	isKYC = isKYC && strings.HasPrefix(r.URL.Path, "/open-api/v3/accounts/")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/open-api/v3/files/upload":
		s.upload(w, r)
	case r.Method == http.MethodPost && isKYC:
		s.submit(w, r, account)
	case r.Method == http.MethodGet && isKYC:
		a := s.Account(account)
		s.answer(w, http.StatusOK, "000000", "success", map[string]string{"accountId": account, "kycStatus": a.KYCStatus, "message": a.Message})
	default:
		s.answer(w, http.StatusNotFound, "404", "not found", nil)
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil || r.FormValue("accountId") == "" {
		s.answer(w, http.StatusBadRequest, "100003", "multipart files[] and accountId are required", nil)
		return
	}
	var ids []string
	for _, fh := range r.MultipartForm.File["files"] {
		f, _ := fh.Open()
		data, _ := io.ReadAll(f)
		_ = f.Close()
		kind := http.DetectContentType(data)
		if kind != "image/jpeg" && kind != "image/png" && kind != "application/pdf" || len(data) > 20<<20 {
			s.answer(w, http.StatusBadRequest, "100004", "files must be jpg, png or pdf up to 20 MB", nil)
			return
		}
		id := "file-" + strings.ToLower(rand.Text()[:12])
		s.mu.Lock()
		s.files[id] = len(data)
		s.mu.Unlock()
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.answer(w, http.StatusBadRequest, "100003", "files[] is required", nil)
		return
	}
	s.answer(w, http.StatusOK, "000000", "success", ids)
}

var (
	date   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	digits = regexp.MustCompile(`^[0-9]+$`)
)

// idTypes is the fake's list of idType values.
var idTypes = map[string]bool{"CN-RIC": true, "HK-HKID": true, "DLN": true, "PASSPORT": true, "Government-Issued ID Card": true,
	"EU Residency Permit": true, "UAE Residency Permit": true}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, account string) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.answer(w, http.StatusBadRequest, "100003", "body must be JSON", nil)
		return
	}
	str := func(k string) string { v, _ := in[k].(string); return v }
	var problems []string
	for _, k := range []string{"firstName", "lastName", "dateOfBirth", "gender", "nationality", "nationalId", "idType", "idIssueDate", "idExpiryDate",
		"idFrontFileId", "selfieFileId", "phoneNumber", "phoneCountryCode"} {
		if str(k) == "" {
			problems = append(problems, k+" is required")
		}
	}
	for _, k := range []string{"dateOfBirth", "idIssueDate", "idExpiryDate"} {
		if v := str(k); v != "" && !date.MatchString(v) {
			problems = append(problems, k+" must be YYYY-MM-DD")
		}
	}
	if g := str("gender"); g != "M" && g != "F" {
		problems = append(problems, "gender must be M or F")
	}
	if !idTypes[str("idType")] {
		problems = append(problems, "idType is not allowed")
	}
	if len(str("nationality")) != 2 {
		problems = append(problems, "nationality must be ISO 3166-1 alpha-2")
	}
	if v := str("phoneNumber"); len(v) > 15 || !digits.MatchString(v) {
		problems = append(problems, "phoneNumber must be at most 15 digits")
	}
	if v := str("phoneCountryCode"); len(v) > 3 || !digits.MatchString(v) {
		problems = append(problems, "phoneCountryCode must be at most 3 digits, no +")
	}
	if str("nationality") == "US" && (len(str("ssn")) != 9 || !digits.MatchString(str("ssn"))) {
		problems = append(problems, "ssn must be 9 digits for US")
	}
	if str("idType") != "PASSPORT" && str("idBackFileId") == "" {
		problems = append(problems, "idBackFileId is required for this idType")
	}
	if ad, _ := in["address"].(map[string]any); ad == nil || ad["country"] == "" || ad["city"] == "" || ad["addressLine1"] == "" {
		problems = append(problems, "address is required")
	}
	if dob, err := time.Parse("2006-01-02", str("dateOfBirth")); err == nil {
		if age := time.Since(dob).Hours() / 24 / 365.25; age < 18 || age > 66 {
			problems = append(problems, "age must be 18-65")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []string{"idFrontFileId", "idBackFileId", "selfieFileId"} {
		if v := str(k); v != "" && s.files[v] == 0 {
			problems = append(problems, k+" is not an uploaded file")
		}
	}
	if len(problems) > 0 {
		s.answer(w, http.StatusBadRequest, "100003", strings.Join(problems, "; "), nil)
		return
	}
	a := s.accounts[account]
	if a == nil {
		a = &Account{}
		s.accounts[account] = a
	}
	if a.Submissions >= 2 {
		s.answer(w, http.StatusBadRequest, "100005", "KYC may be submitted twice per 24 hours", nil)
		return
	}
	a.Submissions++
	a.KYC, a.KYCStatus = in, "Pending"
	s.answer(w, http.StatusOK, "000000", "success", nil)
}

// Notify posts a KYC.UPDATED callback for account to url, signed with secret (the client secret
// for a good one), and returns the status and body of kycd's answer.
func (s *Server) Notify(url, account, secret string) (int, string, error) {
	a := s.Account(account)
	res, _ := json.Marshal(map[string]string{"accountId": account, "kycStatus": a.KYCStatus, "message": a.Message})
	body, _ := json.Marshal(map[string]any{"id": rand.Text(), "eventType": "KYC.UPDATED", "apiVersion": "v3", "code": "000000", "message": "success",
		"resource": string(res), "createTime": time.Now().UnixMilli()})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Signature-Method", "HMAC-SHA256")
	req.Header.Set("Signature", Signature(secret, string(res)))
	req.Header.Set("Timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// CallCount is how many calls the fake has taken (past its signature or token check).
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}

// Signature is a callback's Signature header as Interlace documents it, written here from the
// document (not the connector's code, which the fake checks): Base64(HMAC-SHA256(clientSecret,
// resource)), over the resource string as sent.
func Signature(clientSecret, resource string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(resource))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
