package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"time"

	"kycd/bench/internal/client"
	"kycd/bench/internal/idimages"
	"kycd/bench/internal/photo"
)

// The three ways a journey reaches kycd.
const (
	wayAPI = "api" // the integrator's /v1 API: applicant, request, three uploads, document
	wayApp = "app" // the app endpoints with an applicant token bound to the request
	wayWeb = "web" // the hosted flow's forms, as a browser without JavaScript sends them
)

// journey is one applicant's complete KYC, as the workload saw it.
type journey struct {
	n   int
	way string
	set int // the index of the journey's image set
	// passport is the number the journey types: the one printed in its set's zone.
	passport string
	start    time.Time
	end      time.Time

	applicantID, requestID, documentID string
	// apiFiles are the files POST /v1/files answered 2xx for: id -> SHA-256 of the bytes sent.
	apiFiles map[string]string
	// sent holds the SHA-256 of every image this journey sent, by any way.
	sent map[string]bool
	// outcome is the document's final status as the journey saw it; reviewed says the workload
	// decided it through the review API.
	outcome  string
	reviewed bool
	err      error
}

// images returns the journey's three images: its set's JPEGs, each with a comment that makes its
// bytes (and SHA-256) the journey's own.
func (j *journey) images(s idimages.Set) [3]idimages.Upload {
	out := s.Files()
	for i := range out {
		r, _ := photo.Variant(out[i].Data, uint64(j.n)*4+uint64(i))
		out[i].Data, _ = io.ReadAll(r)
		sum := sha256.Sum256(out[i].Data)
		j.sent[hex.EncodeToString(sum[:])] = true
	}
	return out
}

// run drives the journey to its decision: the document is decided by the checks or, when they
// hold it for a person, by the review API.
func (j *journey) run(ctx context.Context, a *api, s idimages.Set, wait time.Duration) {
	j.start = time.Now()
	defer func() { j.end = time.Now() }()
	j.sent, j.apiFiles = map[string]bool{}, map[string]string{}
	if j.err = j.begin(ctx, a); j.err != nil {
		return
	}
	imgs := j.images(s)
	switch j.way {
	case wayAPI:
		j.err = j.viaAPI(ctx, a, imgs)
	case wayApp:
		j.err = j.viaApp(ctx, a, imgs)
	case wayWeb:
		j.err = j.viaWeb(ctx, a, imgs)
	}
	if j.err != nil {
		return
	}
	if j.documentID == "" {
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if j.err = a.json(ctx, "find document", http.MethodGet, "/v1/kyc-documents?applicantId="+j.applicantID, "", nil, &list); j.err != nil {
			return
		}
		if len(list.Items) != 1 {
			j.err = fmt.Errorf("applicant %s has %d documents after its %s submission, want 1", j.applicantID, len(list.Items), j.way)
			return
		}
		j.documentID = list.Items[0].ID
	}
	j.err = j.decide(ctx, a, wait)
}

// begin creates the applicant and its KYC request.
func (j *journey) begin(ctx context.Context, a *api) error {
	var apl, req struct {
		ID string `json:"id"`
	}
	err := a.json(ctx, "create applicant", http.MethodPost, "/v1/applicants", "", map[string]any{
		"externalId": fmt.Sprintf("scale-%d", j.n),
		"profile": map[string]string{"firstName": idimages.HolderFirst, "lastName": idimages.HolderLast, "dateOfBirth": idimages.HolderBirth,
			"nationality": "US", "countryOfResidence": "US"},
		"addresses": []map[string]string{{"type": "residential", "city": "Houston", "country": "US"}},
	}, &apl)
	if err != nil {
		return err
	}
	j.applicantID = apl.ID
	if err := a.json(ctx, "create KYC request", http.MethodPost, "/v1/kyc-requests", "", map[string]any{
		"applicantId": apl.ID, "level": "L1",
		"documents": []map[string]any{{"type": "identity-proof", "subtypes": []string{"passport"}, "faceProofRequired": true}},
	}, &req); err != nil {
		return err
	}
	j.requestID = req.ID
	return nil
}

func (j *journey) viaAPI(ctx context.Context, a *api, imgs [3]idimages.Upload) error {
	var ids []string
	for _, f := range imgs {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("applicantId", j.applicantID)
		_ = mw.WriteField("tag", f.Tag)
		w, _ := mw.CreateFormFile("file", f.Tag+".jpg")
		_, _ = w.Write(f.Data)
		_ = mw.Close()
		var out struct {
			ID string `json:"id"`
		}
		_, body, err := a.do(ctx, request{kind: "upload file", method: http.MethodPost, path: "/v1/files", body: &b, contentType: mw.FormDataContentType()})
		if err != nil {
			return err
		}
		if err := jsonID(body, &out.ID); err != nil {
			return fmt.Errorf("upload file: %w", err)
		}
		sum := sha256.Sum256(f.Data)
		j.apiFiles[out.ID] = hex.EncodeToString(sum[:])
		ids = append(ids, out.ID)
	}
	var doc struct {
		ID string `json:"id"`
	}
	if err := a.json(ctx, "create document", http.MethodPost, "/v1/kyc-documents", "", map[string]any{
		"applicantId": j.applicantID, "requestId": j.requestID, "type": "identity-proof", "subtype": "passport", "fileIds": ids,
		"identification": map[string]string{"number": j.passport, "issuingCountry": "US", "issueDate": "2020-01-15",
			"expiryDate": idimages.PassportExpiry, "holderName": idimages.HolderFirst + " " + idimages.HolderLast},
	}, &doc); err != nil {
		return err
	}
	j.documentID = doc.ID
	return nil
}

func (j *journey) viaApp(ctx context.Context, a *api, imgs [3]idimages.Upload) error {
	var tok struct {
		Token string `json:"token"`
	}
	if err := a.json(ctx, "create applicant token", http.MethodPost, "/v1/applicants/"+j.applicantID+"/tokens", "",
		map[string]any{"requestId": j.requestID}, &tok); err != nil {
		return err
	}
	for i, typ := range []string{"id_proof_front", "id_proof_back", "id_proof_live"} {
		body := map[string]any{"fileData": map[string]any{"type": typ, "ext": "jpg",
			"file": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(imgs[i].Data)}}
		if err := a.json(ctx, "app upload", http.MethodPost, "/upload-KYC-document", tok.Token, body, nil); err != nil {
			return err
		}
	}
	return a.json(ctx, "app submit", http.MethodPost, "/update_app_user_profile_v2", tok.Token, map[string]any{"documents": []any{
		map[string]any{"document_type": "id_proof_front", "identification_type": "Passport", "identification_value": j.passport,
			"identification_doc_expiry": idimages.PassportExpiry, "identification_issuing_date": "2020-01-15",
			"identification_doc_issuance_country": "United States", "identification_doc_holder_name": idimages.HolderFirst + " " + idimages.HolderLast},
		map[string]any{"document_type": "id_proof_live"},
	}}, nil)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (j *journey) viaWeb(ctx context.Context, a *api, imgs [3]idimages.Upload) error {
	var req struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"_links"`
	}
	if err := a.json(ctx, "get KYC request", http.MethodGet, "/v1/kyc-requests/"+j.requestID, "", nil, &req); err != nil {
		return err
	}
	link := ""
	for _, l := range req.Links {
		if l.Rel == "gatherer" {
			link = l.Href
		}
	}
	if !strings.HasPrefix(link, a.base+"/gather/") {
		return fmt.Errorf("gatherer link %q is not on the proxy %s", link, a.base)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: a.http.Transport, Jar: jar, Timeout: a.http.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, page, err := a.do(ctx, request{kind: "hosted page", method: http.MethodGet, path: link, bearer: "-", client: browser})
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return errors.New("hosted page: no CSRF token in the form")
	}
	base := a.base + "/gather/" + j.requestID
	seeOther := func(s int) bool { return s == http.StatusSeeOther }
	fields := map[string]string{"csrf": string(m[1]), "first_name": idimages.HolderFirst, "last_name": idimages.HolderLast,
		"date_of_birth": idimages.HolderBirth, "nationality": "US", "doc_type": "passport", "doc_number": j.passport,
		"issue_date": "2020-01-15", "expiry_date": idimages.PassportExpiry, "issuing_country": "US"}
	body, ct := form(fields, map[string][]byte{"front": imgs[0].Data, "back": imgs[1].Data})
	if _, _, err := a.do(ctx, request{kind: "hosted identity form", method: http.MethodPost, path: base + "/identity", body: body,
		contentType: ct, bearer: "-", client: browser, ok: seeOther}); err != nil {
		return err
	}
	body, ct = form(map[string]string{"csrf": string(m[1])}, map[string][]byte{"selfie": imgs[2].Data})
	_, _, err = a.do(ctx, request{kind: "hosted selfie form", method: http.MethodPost, path: base + "/selfie", body: body,
		contentType: ct, bearer: "-", client: browser, ok: seeOther})
	return err
}

// form is a multipart form of fields and files (by field name).
func form(fields map[string]string, files map[string][]byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for k, data := range files {
		w, _ := mw.CreateFormFile(k, k+".jpg")
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

// decide polls the document until the checks decide it, and accepts it through the review API
// when they hold it for a person.
func (j *journey) decide(ctx context.Context, a *api, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		var d struct {
			Status string `json:"status"`
		}
		if err := a.json(ctx, "poll document", http.MethodGet, "/v1/kyc-documents/"+j.documentID, "", nil, &d); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("document %s not decided within %s", j.documentID, wait)
			}
			// A poll that failed (the kill) is tried again: the journey's data is already in.
		} else {
			switch d.Status {
			case "accepted", "rejected":
				j.outcome = d.Status
				return nil
			case "pending-review":
				err := a.json(ctx, "review decision", http.MethodPost, "/v1/kyc-documents/"+j.documentID+"/acceptance", "",
					map[string]any{"notes": "bench/scale reviewer"}, nil)
				var he *client.StatusError
				if err == nil || (errors.As(err, &he) && he.Status == http.StatusConflict) {
					j.reviewed = j.reviewed || err == nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("document %s not decided within %s", j.documentID, wait)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func jsonID(b []byte, id *string) error {
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" {
		return fmt.Errorf("no id in %.200q", b)
	}
	*id = out.ID
	return nil
}
