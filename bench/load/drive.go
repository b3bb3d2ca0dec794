package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"kycd/bench/internal/client"
	"kycd/bench/internal/photo"
)

// op is a kind of request.
type op int

const (
	opApplicant op = iota
	opUpload
	opDocument
	numOps
)

func (o op) String() string {
	return [...]string{"create applicant", "upload file", "create document"}[o]
}

// tally is what one client saw of one kind of request.
type tally struct {
	ok     []time.Duration // latency of the 2xx answers
	failed int
}

// results are what all clients saw.
type results struct {
	ops      [numOps]tally
	errs     []string // the first few failures
	start    time.Time
	duration time.Duration
	uploaded int64 // bytes of JPEG sent in 2xx uploads
}

func (r *results) failures() int {
	n := 0
	for _, t := range r.ops {
		n += t.failed
	}
	return n
}

// clientResults is one client's share, merged at the end.
type clientResults struct {
	ops      [numOps]tally
	errs     []string
	uploaded int64
}

func (cr *clientResults) record(o op, d time.Duration, err error) {
	if err != nil {
		cr.ops[o].failed++
		if len(cr.errs) < 5 {
			cr.errs = append(cr.errs, err.Error())
		}
		return
	}
	cr.ops[o].ok = append(cr.ops[o].ok, d)
}

// drive runs o.clients clients until o.applicants applicants are onboarded or ctx ends.
func drive(ctx context.Context, c *client.Client, o options, jpg []byte) *results {
	runID := rand.Text()[:8]
	var next atomic.Int64
	var seq atomic.Uint64
	per := make([]clientResults, o.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range per {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n >= int64(o.applicants) || ctx.Err() != nil {
					return
				}
				onboard(ctx, c, &per[i], fmt.Sprintf("bench-%s-%d", runID, n), jpg, &seq)
			}
		})
	}
	wg.Wait()
	res := &results{start: start, duration: time.Since(start)}
	for _, cr := range per {
		for k := range numOps {
			res.ops[k].ok = append(res.ops[k].ok, cr.ops[k].ok...)
			res.ops[k].failed += cr.ops[k].failed
		}
		res.errs = append(res.errs, cr.errs...)
		res.uploaded += cr.uploaded
	}
	return res
}

// onboard creates one applicant, uploads three files and creates a document; it stops at the
// first failure, since the later requests need the earlier ids.
func onboard(ctx context.Context, c *client.Client, cr *clientResults, externalID string, jpg []byte, seq *atomic.Uint64) {
	t := time.Now()
	applicantID, err := c.CreateApplicant(ctx, externalID)
	cr.record(opApplicant, time.Since(t), err)
	if err != nil {
		return
	}
	var files []string
	for _, tag := range []string{"id-front", "id-back", "face-proof"} {
		body, size := photo.Variant(jpg, seq.Add(1))
		t = time.Now()
		id, err := c.Upload(ctx, applicantID, tag, body, size)
		cr.record(opUpload, time.Since(t), err)
		if err != nil {
			return
		}
		cr.uploaded += size
		files = append(files, id)
	}
	t = time.Now()
	_, err = c.CreateDocument(ctx, applicantID, files)
	cr.record(opDocument, time.Since(t), err)
}
