// Package saintpaytest is a fake Saintpay API on 127.0.0.1 that enforces the documented contract:
// exact paths and methods, the RSA signature headers (appId, timestamp, signature) checked with
// the merchant's public key (a wrong signature is refused with code 00001), required fields, the
// enums (kycType, type, gender, idType, kycLevel), alpha-3 countries, and the file URLs, which it
// fetches and checks are images. Answers use its envelope {code "00000", data, msg, requestTime};
// callbacks are signed with the platform's private key.
package saintpaytest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
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

	"kycd/internal/share/saintpay"
	"kycd/internal/share/sharetest"
)

// User is what the fake holds about one merchant user.
type User struct {
	// UserID is the platform's id, Request the last kyc/share body, Status the account status,
	// Shares how many shares were taken, FileBytes the size of each fetched file URL, LastType the
	// last share's type and MerchantID the merchantUserId.
	UserID     string
	Request    map[string]any
	Status     string // new, accept, reject, dcumentRequire
	Shares     int    // shares accepted (new, update, reNew)
	FileBytes  map[string]int
	LastType   string
	MerchantID string
}

// Server is the fake partner.
type Server struct {
	*httptest.Server
	// AppID is the merchant appId the fake accepts.
	AppID string
	// MerchantKey is the merchant's key pair: the fake verifies with its public half.
	MerchantKey *rsa.PrivateKey
	// PlatformKey signs callbacks; kycd verifies with its public half.
	PlatformKey *rsa.PrivateKey
	// Plan holds planned failures per path.
	Plan sharetest.Plan

	mu    sync.Mutex
	users map[string]*User // by merchantUserId
	// BadSigned counts calls refused for their signature.
	BadSigned int
	// Calls counts calls per path (read with CallCount).
	Calls map[string]int
}

// New starts a fake with fresh keys, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{AppID: "app-test", MerchantKey: key(t), PlatformKey: key(t), users: map[string]*User{}, Calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Plan.Serve(w, r, s.serve) }))
	t.Cleanup(s.Close)
	return s
}

func key(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Config is the connector configuration that reaches this fake.
func (s *Server) Config() saintpay.Config {
	return saintpay.Config{URL: s.URL, AppID: s.AppID, PrivateKey: s.MerchantKey, PlatformPublicKey: &s.PlatformKey.PublicKey}
}

// User returns a copy of what the fake holds for merchantUserId.
func (s *Server) User(merchantUserID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[merchantUserID]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Decide sets a user's status (accept, reject, dcumentRequire).
func (s *Server) Decide(merchantUserID, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[merchantUserID]; ok {
		u.Status = status
	}
}

func (s *Server) answer(w http.ResponseWriter, code, msg string, data any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg, "data": data, "requestTime": time.Now().UnixMilli()})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ts := r.Header.Get("timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || r.Header.Get("appId") != s.AppID || time.Since(time.UnixMilli(ms)).Abs() > 5*time.Minute ||
		VerifySignature(&s.MerchantKey.PublicKey, s.AppID, ts, r.Header.Get("signature")) != nil {
		s.mu.Lock()
		s.BadSigned++
		s.mu.Unlock()
		s.answer(w, "00001", "authentication failed", nil)
		return
	}
	s.mu.Lock()
	s.Calls[r.URL.Path]++
	s.mu.Unlock()
	var in map[string]any
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
		s.answer(w, "00002", "POST with a JSON body", nil)
		return
	}
	switch r.URL.Path {
	case "/api/v1/user/kyc/share":
		s.share(w, in)
	case "/api/v1/user/query-user-account-status":
		s.query(w, in)
	default:
		w.WriteHeader(http.StatusNotFound)
		s.answer(w, "00002", "no such interface", nil)
	}
}

var alpha3 = regexp.MustCompile(`^[A-Z]{3}$`)

func (s *Server) share(w http.ResponseWriter, in map[string]any) {
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	var problems []string
	mid := str(in, "merchantUserId")
	if mid == "" {
		problems = append(problems, "merchantUserId is required")
	}
	if str(in, "kycType") != "USER" && str(in, "kycType") != "ENTERPRISE" {
		problems = append(problems, "kycType must be USER or ENTERPRISE")
	}
	typ := str(in, "type")
	if typ != "" && typ != "new" && typ != "update" && typ != "reNew" {
		problems = append(problems, "type must be new, update or reNew")
	}
	v, _ := in["kycIdentityInfoVo"].(map[string]any)
	if v == nil {
		v = map[string]any{}
		problems = append(problems, "kycIdentityInfoVo is required")
	}
	for _, k := range []string{"firstName", "lastName", "gender", "idType", "idNumber", "nationality", "residentialCountry", "idCountry", "dob", "idExpiry",
		"frontFileUrl", "selfieFileUrl", "kycLevel"} {
		if str(v, k) == "" {
			problems = append(problems, "kycIdentityInfoVo."+k+" is required")
		}
	}
	for _, k := range []string{"nationality", "residentialCountry", "idCountry"} {
		if x := str(v, k); x != "" && !alpha3.MatchString(x) {
			problems = append(problems, "kycIdentityInfoVo."+k+" must be ISO 3166-1 alpha-3")
		}
	}
	if g := str(v, "gender"); g != "" && g != "M" && g != "F" {
		problems = append(problems, "gender must be M or F")
	}
	if t := str(v, "idType"); t != "" && !strings.Contains(" PASSPORT DRIVERS VISA ID_CARD RESIDENCE_PERMIT UTILITY_BILL ", " "+t+" ") {
		problems = append(problems, "idType is not allowed")
	}
	if l := str(v, "kycLevel"); l != "" && l != "L0" && l != "L1" && l != "L2" {
		problems = append(problems, "kycLevel must be L0, L1 or L2")
	}
	files := map[string]int{}
	for _, k := range []string{"frontFileUrl", "backFileUrl", "selfieFileUrl"} {
		if u := str(v, k); u != "" {
			n, ok := fetchImage(u)
			if !ok {
				problems = append(problems, "kycIdentityInfoVo."+k+" does not serve a jpg or png image")
			}
			files[k] = n
		}
	}
	if len(problems) > 0 {
		s.answer(w, "00002", "parameter error: "+strings.Join(problems, "; "), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, exists := s.users[mid]
	switch {
	case typ == "new" && exists:
		s.answer(w, "00002", "user already exists", nil)
		return
	case (typ == "update" || typ == "reNew") && !exists:
		s.answer(w, "00002", "user does not exist", nil)
		return
	case !exists:
		u = &User{UserID: "u" + strings.ToLower(rand.Text()[:10]), Status: "new", MerchantID: mid}
		s.users[mid] = u
	}
	if typ == "reNew" {
		u.Status = "new"
	}
	u.Request, u.FileBytes, u.LastType = in, files, typ
	u.Shares++
	s.answer(w, "00000", "success", map[string]string{"userId": u.UserID})
}

// fetchImage GETs a file URL and reports its size and whether it is a jpg or png.
func fetchImage(u string) (int, bool) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 20<<20))
	kind := http.DetectContentType(b)
	return len(b), resp.StatusCode == http.StatusOK && (kind == "image/jpeg" || kind == "image/png")
}

func (s *Server) query(w http.ResponseWriter, in map[string]any) {
	mid, _ := in["merchantUserId"].(string)
	uid, _ := in["userId"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.MerchantID == mid && mid != "" || u.UserID == uid && uid != "" {
			s.answer(w, "00000", "success", map[string]string{"userId": u.UserID, "status": u.Status})
			return
		}
	}
	s.answer(w, "00002", "user not found", nil)
}

// Notify posts the user-status callback for merchantUserId to url, signed with key (the platform
// key for a good one), and returns kycd's status code.
func (s *Server) Notify(url, merchantUserID string, key *rsa.PrivateKey) (int, error) {
	u, _ := s.User(merchantUserID)
	kycStatus := u.Status
	b, _ := json.Marshal(map[string]string{"merchantUserId": merchantUserID, "userId": u.UserID, "kycStatus": kycStatus, "status": u.Status})
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sig, err := Signature(key, s.AppID, ts)
	if err != nil {
		return 0, err
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("appId", s.AppID)
	req.Header.Set("timestamp", ts)
	req.Header.Set("signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
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

// signedString is what Saintpay's headers sign, as its document says: "appId=<appId>&timestamp=<timestamp>".
func signedString(appID, timestamp string) []byte {
	return []byte("appId=" + appID + "&timestamp=" + timestamp)
}

// Signature is the signature header as Saintpay documents it, written here from the document (not
// the connector's code, which the fake checks): Base64 of an RSA signature (PKCS #1 v1.5,
// SHA-256) over signedString.
func Signature(key *rsa.PrivateKey, appID, timestamp string) (string, error) {
	digest := sha256.Sum256(signedString(appID, timestamp))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifySignature checks a signature header with the signer's public key.
func VerifySignature(key *rsa.PublicKey, appID, timestamp, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(signedString(appID, timestamp))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig)
}
