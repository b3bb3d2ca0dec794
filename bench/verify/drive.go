package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"kycd/bench/internal/idimages"
)

// application is what the benchmark saw of one L1 application.
type application struct {
	n                      int // 1-based
	applicantID, requestID string
	documentID             string

	// Client clock: the end of the last upload (its answer read), the 201 of the document, and
	// the answer of the first GET of the KYC request that showed it decided.
	uploaded, created, seen time.Time
	// status is the request's status at seen; polls is how many GETs it took.
	status string
	polls  int

	// doc is the document as read after the run: outcome, score, server times.
	doc kycDocument
	// job is the document's verification job as River recorded it (zero when not read).
	job jobTimes

	err error
}

// decided reports whether the request left "gathering", that is, whether the verification
// decided the document.
func (a *application) decided() bool { return a.err == nil && !a.seen.IsZero() }

// toDecision is the headline figure: from the end of the last upload to the GET that showed the
// request decided.
func (a *application) toDecision() time.Duration { return a.seen.Sub(a.uploaded) }

// submit runs o.applications applications with o.clients concurrent clients.
func submit(ctx context.Context, c api, o options, sets []idimages.Set) []*application {
	apps := make([]*application, o.applications)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range o.clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(apps) || ctx.Err() != nil {
					return
				}
				a := &application{n: i + 1}
				a.err = apply(ctx, c, o, a, sets[i])
				apps[i] = a
			}
		})
	}
	wg.Wait()
	for i, a := range apps {
		if a == nil {
			apps[i] = &application{n: i + 1, err: ctx.Err()}
		}
	}
	return apps
}

// apply submits one complete L1 application and waits until its KYC request is decided.
func apply(ctx context.Context, c api, o options, a *application, s idimages.Set) error {
	var err error
	a.applicantID, err = c.post(ctx, "create applicant", "/v1/applicants", map[string]any{
		"profile": map[string]string{"firstName": idimages.HolderFirst, "lastName": idimages.HolderLast, "dateOfBirth": idimages.HolderBirth,
			"nationality": "US", "countryOfResidence": "US"},
		"addresses": []map[string]string{{"type": "residential", "city": "Houston", "country": "US"}},
	})
	if err != nil {
		return err
	}
	a.requestID, err = c.post(ctx, "create KYC request", "/v1/kyc-requests", map[string]any{
		"applicantId": a.applicantID, "level": "L1",
		"documents": []map[string]any{{"type": "identity-proof", "subtypes": []string{"passport"}, "faceProofRequired": true}},
	})
	if err != nil {
		return err
	}
	var fileIDs []string
	for _, f := range s.Files() {
		id, err := c.Upload(ctx, a.applicantID, f.Tag, bytes.NewReader(f.Data), int64(len(f.Data)))
		if err != nil {
			return err
		}
		fileIDs = append(fileIDs, id)
	}
	a.uploaded = time.Now()
	a.documentID, err = c.post(ctx, "create KYC document", "/v1/kyc-documents", map[string]any{
		"applicantId": a.applicantID, "requestId": a.requestID, "type": "identity-proof", "subtype": "passport",
		"fileIds": fileIDs,
		"identification": map[string]string{"number": idimages.PassportNumber(a.n), "issuingCountry": "US",
			"issueDate": "2020-01-15", "expiryDate": idimages.PassportExpiry, "holderName": idimages.HolderFirst + " " + idimages.HolderLast},
	})
	if err != nil {
		return err
	}
	a.created = time.Now()
	return wait(ctx, c, o, a)
}

// wait polls the KYC request every o.poll until its status is no longer gathering.
func wait(ctx context.Context, c api, o options, a *application) error {
	ctx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for {
		r, err := c.request(ctx, a.requestID)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("request %s still gathering after %s", a.requestID, o.wait)
			}
			return err
		}
		a.polls++
		if r.Status != "gathering" {
			a.seen, a.status = time.Now(), r.Status
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("request %s still gathering after %s", a.requestID, o.wait)
		case <-tick.C:
		}
	}
}

// readDocuments fetches every decided application's document, for its outcome and server times.
func readDocuments(ctx context.Context, c api, apps []*application) error {
	var errs []error
	for _, a := range apps {
		if a.documentID == "" {
			continue
		}
		d, err := c.document(ctx, a.documentID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.doc = d
	}
	return errors.Join(errs...)
}
