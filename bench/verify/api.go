package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"kycd/bench/internal/client"
)

// api adds to client.Client the calls this benchmark needs beyond it: JSON POSTs with any body and
// GETs of KYC requests and documents.
type api struct {
	*client.Client
}

// post sends body as JSON to path and decodes the answer's id.
func (a api) post(ctx context.Context, op, path string, body any) (string, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.call(ctx, op, http.MethodPost, path, bytes.NewReader(b), &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("%s: no id in the answer", op)
	}
	return out.ID, nil
}

// call sends one request and decodes a 2xx answer into out.
func (a api) call(ctx context.Context, op, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+path, body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &client.StatusError{Op: op, Status: resp.StatusCode, Body: strings.TrimSpace(string(b[:min(len(b), 300)]))}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

// kycRequest is the part of a KYC request the benchmark reads.
type kycRequest struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// kycDocument is the part of a KYC document the benchmark reads.
type kycDocument struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Score       *int      `json:"score"`
	CreatedTime time.Time `json:"createdTime"`
	CheckList   []struct {
		Name   string `json:"name"`
		Failed bool   `json:"failed"`
		Reason string `json:"reason"`
	} `json:"checkList"`
	ParsedData struct {
		// MRZSource is where the zone the checks compared came from: "image" when kycd read it
		// from the id-front, "typed" when it had only the typed data.
		MRZSource string `json:"mrzSource"`
	} `json:"parsedData"`
	Decision *struct {
		Outcome     string    `json:"outcome"`
		DecidedTime time.Time `json:"decidedTime"`
	} `json:"decision"`
}

func (a api) request(ctx context.Context, id string) (kycRequest, error) {
	var r kycRequest
	return r, a.call(ctx, "get KYC request", http.MethodGet, "/v1/kyc-requests/"+id, nil, &r)
}

func (a api) document(ctx context.Context, id string) (kycDocument, error) {
	var d kycDocument
	return d, a.call(ctx, "get KYC document", http.MethodGet, "/v1/kyc-documents/"+id, nil, &d)
}
