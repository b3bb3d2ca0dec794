// Package client calls the few kycd endpoints the benchmarks drive: create an applicant, upload a
// file, create a KYC document. Uploads stream the file into the multipart body, so a client does
// not hold a second copy of it.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// Client calls one kycd server with one API key. It is safe for concurrent use.
type Client struct {
	// BaseURL is the server, http://host:port.
	BaseURL string
	// Key is the API key sent as a bearer token.
	Key string
	// HTTP sends the requests.
	HTTP *http.Client
	// IdempotencyKeys adds a fresh Idempotency-Key header to every POST, as careful integrators do.
	IdempotencyKeys bool
}

// New returns a client with its own connection pool of up to conns connections to baseURL.
func New(baseURL, key string, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &Client{BaseURL: baseURL, Key: key, HTTP: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// StatusError is an answer with a status outside 2xx.
type StatusError struct {
	// Op names the call: "create applicant", "upload file" or "create document".
	Op string
	// Status is the HTTP status code.
	Status int
	// Body is the start of the answer (a problem+json document), for the report.
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.Op, e.Status, e.Body)
}

// CreateApplicant creates an individual applicant with a fixed profile and returns its id.
func (c *Client) CreateApplicant(ctx context.Context, externalID string) (string, error) {
	body := map[string]any{
		"externalId": externalID,
		"email":      "anna.eriksson@example.com",
		"profile":    map[string]string{"firstName": "Anna", "lastName": "Eriksson", "dateOfBirth": "1974-08-12", "nationality": "TH"},
	}
	return c.postJSON(ctx, "create applicant", "/v1/applicants", body)
}

// CreateDocument creates a passport identity-proof document from fileIDs and returns its id.
func (c *Client) CreateDocument(ctx context.Context, applicantID string, fileIDs []string) (string, error) {
	body := map[string]any{
		"applicantId": applicantID,
		"type":        "identity-proof",
		"subtype":     "passport",
		"fileIds":     fileIDs,
		"identification": map[string]string{
			"number": "L898902C3", "issuingCountry": "TH", "issueDate": "2019-06-18", "expiryDate": "2029-06-17",
		},
	}
	return c.postJSON(ctx, "create document", "/v1/kyc-documents", body)
}

// Upload sends size bytes of content as a multipart upload (fields applicantId, tag, file) and
// returns the file's id. The body is streamed with a Content-Length.
func (c *Client) Upload(ctx context.Context, applicantID, tag string, content io.Reader, size int64) (string, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	_ = mw.WriteField("applicantId", applicantID)
	_ = mw.WriteField("tag", tag)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+tag+`.jpg"`)
	h.Set("Content-Type", "image/jpeg")
	if _, err := mw.CreatePart(h); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := io.MultiReader(bytes.NewReader(head.Bytes()), content, strings.NewReader(tail))
	req, err := c.request(ctx, "/v1/files", body, mw.FormDataContentType())
	if err != nil {
		return "", err
	}
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	return c.do(req, "upload file")
}

func (c *Client) postJSON(ctx context.Context, op, path string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	req, err := c.request(ctx, path, bytes.NewReader(b), "application/json")
	if err != nil {
		return "", err
	}
	return c.do(req, op)
}

func (c *Client) request(ctx context.Context, path string, body io.Reader, contentType string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Content-Type", contentType)
	if c.IdempotencyKeys {
		req.Header.Set("Idempotency-Key", rand.Text())
	}
	return req, nil
}

// do sends req and returns the id of the created resource.
func (c *Client) do(req *http.Request, op string) (string, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("%s: read answer: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", &StatusError{Op: op, Status: resp.StatusCode, Body: strings.TrimSpace(string(b[:min(len(b), 300)]))}
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("%s: status %d but no id in %.200q", op, resp.StatusCode, b)
	}
	return out.ID, nil
}
