// Package alchemypaytest is a fake Alchemy Pay KYC Sharing API on 127.0.0.1 that enforces the
// documented contract: exact paths and methods, the ach-access-sign signature (a wrong one is
// refused), required fields, enums and lengths, unique requestNo and email, file types and sizes,
// and answers in the partner's envelope {code, msg, model, traceId, success, error}.
package alchemypaytest

import (
	"bytes"
	"crypto/hmac"
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

	"kycd/internal/share/alchemypay"
	"kycd/internal/share/sharetest"
)

// Record is what the fake holds about one requestNo.
type Record struct {
	// Info is the information body, Files the bytes per uploaded type, KYCStatus the review
	// status and Submitted the accepted merchantProcess calls.
	Info      map[string]any
	Files     map[string]int // type -> bytes
	KYCStatus string
	Submitted int // merchantProcess calls accepted
}

// Server is the fake partner.
type Server struct {
	*httptest.Server
	// AppKey and Secret are the credentials the fake accepts.
	AppKey, Secret string
	// Plan holds planned failures per path.
	Plan sharetest.Plan

	mu      sync.Mutex
	records map[string]*Record
	emails  map[string]string
	// Calls counts, per path, the calls that passed the signature check (read with CallCount).
	Calls map[string]int
	// BadSigned counts calls refused for their signature.
	BadSigned int
}

// New starts a fake with fresh credentials, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{AppKey: "ak_test", Secret: "sk_test_secret", records: map[string]*Record{}, emails: map[string]string{}, Calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Plan.Serve(w, r, s.serve) }))
	t.Cleanup(s.Close)
	return s
}

// Config is the connector configuration that reaches this fake.
func (s *Server) Config() alchemypay.Config {
	return alchemypay.Config{URL: s.URL, AppKey: s.AppKey, Secret: s.Secret}
}

// Record returns a copy of what the fake holds for requestNo.
func (s *Server) Record(requestNo string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[requestNo]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

// Decide sets the review outcome of requestNo (approved, rejected, reviewing, init).
func (s *Server) Decide(requestNo, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[requestNo]; ok {
		r.KYCStatus = status
	}
}

// Informations counts accepted information submissions in all.
func (s *Server) Informations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

func (s *Server) answer(w http.ResponseWriter, status int, code, msg string, model any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg, "model": model, "traceId": strconv.FormatInt(time.Now().UnixNano(), 16),
		"success": code == "0", "error": code != "0"})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	signedBody := body
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		signedBody = nil
	}
	if !s.signed(r, signedBody) {
		s.mu.Lock()
		s.BadSigned++
		s.mu.Unlock()
		s.answer(w, http.StatusUnauthorized, "10001", "signature verification failed", nil)
		return
	}
	s.mu.Lock()
	s.Calls[r.URL.Path]++
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/open/api/kyc/share/information":
		s.information(w, body)
	case r.Method == http.MethodPost && r.URL.Path == "/open/api/kyc/share/fileUpload":
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.fileUpload(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/open/api/kyc/share/merchantProcess":
		s.merchantProcess(w, r.URL.Query().Get("requestNo"))
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/open/api/kyc/share/queryMerchantKyc/"):
		s.query(w, strings.TrimPrefix(r.URL.Path, "/open/api/kyc/share/queryMerchantKyc/"))
	default:
		s.answer(w, http.StatusNotFound, "404", "no such API", nil)
	}
}

// signed checks ach-access-key, a 13-digit timestamp within 5 minutes, and ach-access-sign.
func (s *Server) signed(r *http.Request, body []byte) bool {
	ts := r.Header.Get("ach-access-timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(ts) != 13 || time.Since(time.UnixMilli(ms)).Abs() > 5*time.Minute || r.Header.Get("ach-access-key") != s.AppKey {
		return false
	}
	path := r.URL.Path
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	return hmac.Equal([]byte(r.Header.Get("ach-access-sign")), []byte(Signature(s.Secret, ts, r.Method, path, body)))
}

// Signature is ach-access-sign as Alchemy Pay documents it, written here from the document (not
// the connector's code, which the fake checks): Base64(HMAC-SHA256(secret, timestamp + METHOD +
// requestPath + body)), requestPath with its query string.
func Signature(secret, timestamp, method, requestPath string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte(strings.ToUpper(method)))
	mac.Write([]byte(requestPath))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

var date = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// information enforces the Submit-basic-information table.
func (s *Server) information(w http.ResponseWriter, body []byte) {
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		s.answer(w, http.StatusOK, "20000", "request body is not JSON", nil)
		return
	}
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	var problems []string
	need := func(m map[string]any, prefix, k string, max int) {
		v := str(m, k)
		if v == "" {
			problems = append(problems, prefix+k+" is required")
		} else if max > 0 && len([]rune(v)) > max {
			problems = append(problems, prefix+k+" is too long")
		}
	}
	need(in, "", "requestNo", 64)
	need(in, "", "email", 64)
	need(in, "", "kycPlatform", 32)
	need(in, "", "callbackUrl", 0)
	if str(in, "holderType") != "1" {
		problems = append(problems, "holderType must be 1")
	}
	ii, _ := in["individualInfo"].(map[string]any)
	if ii == nil {
		ii = map[string]any{}
		problems = append(problems, "individualInfo is required")
	}
	need(ii, "individualInfo.", "firstName", 35)
	need(ii, "individualInfo.", "lastName", 35)
	for _, k := range []string{"country", "number", "ipAddress"} {
		need(ii, "individualInfo.", k, 0)
	}
	for _, k := range []string{"dob", "validUntil"} {
		if !date.MatchString(str(ii, k)) {
			problems = append(problems, "individualInfo."+k+" must be YYYY-MM-DD")
		}
	}
	if g := str(ii, "gender"); g != "1" && g != "2" {
		if f, _ := ii["gender"].(float64); f != 1 && f != 2 {
			problems = append(problems, "individualInfo.gender must be 1 or 2")
		}
	}
	if t := str(ii, "idDocType"); t < "1" || t > "4" || len(t) != 1 {
		problems = append(problems, "individualInfo.idDocType must be 1-4")
	}
	ad, _ := ii["address"].(map[string]any)
	if ad == nil {
		ad = map[string]any{}
		problems = append(problems, "individualInfo.address is required")
	}
	for _, k := range []string{"country", "state", "city", "address", "zipCode"} {
		need(ad, "individualInfo.address.", k, 0)
	}
	if (str(ii, "country") == "US" || str(ad, "country") == "USA") && str(ad, "ssn") == "" {
		problems = append(problems, "individualInfo.address.ssn is required for the United States")
	}
	if len(problems) > 0 {
		s.answer(w, http.StatusOK, "20001", "parameter error: "+strings.Join(problems, "; "), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	no, email := str(in, "requestNo"), str(in, "email")
	if _, dup := s.records[no]; dup {
		s.answer(w, http.StatusOK, "20002", "requestNo already exists", nil)
		return
	}
	if other, dup := s.emails[email]; dup && other != no {
		s.answer(w, http.StatusOK, "20003", "email already exists", nil)
		return
	}
	s.records[no] = &Record{Info: in, Files: map[string]int{}, KYCStatus: "init"}
	s.emails[email] = no
	s.answer(w, http.StatusOK, "0", "操作成功", nil)
}

// fileUpload enforces multipart file (<= 5 MB), requestNo and type; photos jpg/png, reports pdf.
func (s *Server) fileUpload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		s.answer(w, http.StatusOK, "20000", "multipart form expected", nil)
		return
	}
	no, typ := r.FormValue("requestNo"), r.FormValue("type")
	f, _, err := r.FormFile("file")
	if err != nil {
		s.answer(w, http.StatusOK, "20001", "file is required", nil)
		return
	}
	data, _ := io.ReadAll(f)
	kind := http.DetectContentType(data)
	switch {
	case len(data) > 5<<20:
		s.answer(w, http.StatusOK, "20005", "file larger than 5MB", nil)
		return
	case typ == "idFront" || typ == "idBack" || typ == "face":
		if kind != "image/jpeg" && kind != "image/png" {
			s.answer(w, http.StatusOK, "20006", "photos must be jpg or png", nil)
			return
		}
	case typ == "amlReport" || typ == "idvReport":
		if kind != "application/pdf" {
			s.answer(w, http.StatusOK, "20006", "reports must be pdf", nil)
			return
		}
	default:
		s.answer(w, http.StatusOK, "20001", "type must be idFront, idBack, face, amlReport or idvReport", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[no]
	if !ok {
		s.answer(w, http.StatusOK, "20004", "requestNo not found", nil)
		return
	}
	rec.Files[typ] = len(data)
	s.answer(w, http.StatusOK, "0", "操作成功", nil)
}

// merchantProcess submits for approval: idFront and face must be uploaded.
func (s *Server) merchantProcess(w http.ResponseWriter, no string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[no]
	switch {
	case !ok:
		s.answer(w, http.StatusOK, "20004", "requestNo not found", nil)
	case rec.Files["idFront"] == 0 || rec.Files["face"] == 0:
		s.answer(w, http.StatusOK, "20007", "idFront and face are required before approval", nil)
	default:
		if rec.KYCStatus == "init" {
			rec.KYCStatus = "reviewing"
		}
		rec.Submitted++
		s.answer(w, http.StatusOK, "0", "操作成功", nil)
	}
}

func (s *Server) query(w http.ResponseWriter, no string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[no]
	if !ok {
		s.answer(w, http.StatusOK, "20004", "requestNo not found", nil)
		return
	}
	s.answer(w, http.StatusOK, "0", "操作成功", map[string]string{"kycStatus": rec.KYCStatus, "requestNo": no})
}

// Notify posts Alchemy Pay's (unsigned) callback for requestNo to url and returns the status.
func (s *Server) Notify(url, requestNo, kycStatus string) (int, error) {
	b, _ := json.Marshal(map[string]string{"kycStatus": kycStatus, "requestNo": requestNo})
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
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
