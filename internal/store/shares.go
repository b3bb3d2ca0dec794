package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
)

// shareData is the sealed part of a share row: the partner's words may hold personal data.
type shareData struct {
	Options       map[string]string `json:"options,omitempty"`
	PartnerStatus string            `json:"partnerStatus,omitempty"`
	Message       string            `json:"message,omitempty"`
	LastError     string            `json:"lastError,omitempty"`
	Steps         map[string]string `json:"steps,omitempty"`
	Callbacks     map[string]int64  `json:"callbacks,omitempty"`
	ConfirmedAt   int64             `json:"confirmedAt,omitempty"`
}

const shareColumns = `id, env, applicant_id, partner, status, mode, request_no, reference, attempts, applicant_revision, data, revision, created_at, updated_at`

// ShareRecord is a share with the steps of its submission already done (such as a partner's file
// ids), which a retry reuses instead of repeating them.
type ShareRecord struct {
	kyc.Share
	Steps map[string]string
	// Callbacks are the partner callbacks already applied to the share, by a key of what the
	// partner signed, with when each came: a callback seen again is a replay.
	Callbacks map[string]time.Time
	// ConfirmedAt is when an unsigned callback last led to a status query of the partner, so
	// that a flood of them costs at most one query per interval.
	ConfirmedAt time.Time
}

// CreateShare stores a new share with its effects (its event and submission job). sh.ID must be
// set; the applicant must exist in the same environment.
func (s *Store) CreateShare(ctx context.Context, sh *kyc.Share, eff Effects) error {
	at := now()
	sh.CreatedTime, sh.UpdatedTime, sh.Revision = at, at, 0
	return s.inTx(ctx, func(t *txn) error {
		if err := s.requireApplicant(ctx, t, sh.Env, sh.ApplicantID, "path.id"); err != nil {
			return err
		}
		if err := s.writeShare(ctx, t, &ShareRecord{Share: *sh}, true); err != nil {
			return err
		}
		completeEvents(&eff, sh.Revision, *sh)
		return s.applyEffects(ctx, t, sh.Env, eff, at)
	})
}

func (s *Store) writeShare(ctx context.Context, t *txn, r *ShareRecord, insert bool) error {
	sh := &r.Share
	d := shareData{Options: sh.Options, PartnerStatus: sh.PartnerStatus, Message: sh.Message, LastError: sh.LastError, Steps: r.Steps}
	if len(r.Callbacks) > 0 {
		d.Callbacks = map[string]int64{}
		for k, at := range r.Callbacks {
			d.Callbacks[k] = micros(at)
		}
	}
	if !r.ConfirmedAt.IsZero() {
		d.ConfirmedAt = micros(r.ConfirmedAt)
	}
	data, err := s.sealJSON(d, "share:"+sh.ID)
	if err != nil {
		return err
	}
	if insert {
		_, err = t.exec(ctx, `INSERT INTO shares (`+shareColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sh.ID, string(sh.Env), sh.ApplicantID, sh.Partner, sh.Status, sh.Mode, sh.RequestNo, sh.Reference, sh.Attempts,
			sh.ApplicantRevision, data, sh.Revision, micros(sh.CreatedTime), micros(sh.UpdatedTime))
		if isUniqueViolation(err) {
			return fmt.Errorf("a share with request number %s already exists: %w", sh.RequestNo, kyc.ErrConflict)
		}
	} else {
		_, err = t.exec(ctx, `UPDATE shares SET status = ?, reference = ?, attempts = ?, data = ?, revision = ?, updated_at = ? WHERE env = ? AND id = ?`,
			sh.Status, sh.Reference, sh.Attempts, data, sh.Revision, micros(sh.UpdatedTime), string(sh.Env), sh.ID)
	}
	if err != nil {
		return fmt.Errorf("write share: %w", err)
	}
	return nil
}

func (s *Store) scanShare(r row) (ShareRecord, error) {
	var rec ShareRecord
	sh := &rec.Share
	var env string
	var data []byte
	var created, updated int64
	if err := r.Scan(&sh.ID, &env, &sh.ApplicantID, &sh.Partner, &sh.Status, &sh.Mode, &sh.RequestNo, &sh.Reference, &sh.Attempts,
		&sh.ApplicantRevision, &data, &sh.Revision, &created, &updated); err != nil {
		if err == errNoRows {
			return rec, err
		}
		return rec, fmt.Errorf("scan share: %w", err)
	}
	var d shareData
	if err := s.openJSON(data, "share:"+sh.ID, &d); err != nil {
		return rec, err
	}
	sh.Env, sh.CreatedTime, sh.UpdatedTime = kyc.Env(env), fromMicros(created), fromMicros(updated)
	sh.Options, sh.PartnerStatus, sh.Message, sh.LastError, rec.Steps = d.Options, d.PartnerStatus, d.Message, d.LastError, d.Steps
	if rec.Steps == nil {
		rec.Steps = map[string]string{}
	}
	rec.Callbacks = map[string]time.Time{}
	for k, at := range d.Callbacks {
		rec.Callbacks[k] = fromMicros(at)
	}
	if d.ConfirmedAt != 0 {
		rec.ConfirmedAt = fromMicros(d.ConfirmedAt)
	}
	return rec, nil
}

// Share returns one share of env with the steps of its submission.
func (s *Store) Share(ctx context.Context, env kyc.Env, id string) (ShareRecord, error) {
	return s.share(ctx, s.reader(), env, id, "")
}

func (s *Store) share(ctx context.Context, q querier, env kyc.Env, id, suffix string) (ShareRecord, error) {
	r, err := s.scanShare(q.queryRow(ctx, `SELECT `+shareColumns+` FROM shares WHERE env = ? AND id = ?`+suffix, string(env), id))
	if err == errNoRows {
		return r, fmt.Errorf("share %s: %w", id, kyc.ErrNotFound)
	}
	return r, err
}

// ShareByReference finds env's newest share to partner whose partner reference or request number
// is ref. A partner's callback names only its own reference, so the environment comes from where
// the callback arrived: a test share naming a live account can never take that account's callbacks.
func (s *Store) ShareByReference(ctx context.Context, env kyc.Env, partner, ref string) (ShareRecord, error) {
	r, err := s.scanShare(s.reader().queryRow(ctx, `SELECT `+shareColumns+` FROM shares WHERE env = ? AND partner = ? AND (reference = ? OR request_no = ?) ORDER BY id DESC LIMIT 1`,
		string(env), partner, ref, ref))
	if err == errNoRows {
		return r, fmt.Errorf("share of %s %q: %w", partner, ref, kyc.ErrNotFound)
	}
	return r, err
}

// UpdateShare reads a share under a write lock, lets mutate change it (and its steps) and name the
// effects, then writes it back. A mutate that returns Effects with an audit entry is a state change:
// the revision goes up and the effects commit with it. Without an audit entry only the steps and
// bookkeeping (attempts, last error) are written, at the same revision. An error from mutate
// aborts with nothing written.
func (s *Store) UpdateShare(ctx context.Context, env kyc.Env, id string, mutate func(r *ShareRecord) (Effects, error)) (ShareRecord, error) {
	var out ShareRecord
	err := s.inTx(ctx, func(t *txn) error {
		r, err := s.share(ctx, t, env, id, s.forUpdate())
		if err != nil {
			return err
		}
		eff, err := mutate(&r)
		if err != nil {
			return err
		}
		at := now()
		r.UpdatedTime = at
		change := eff.Audit.Action != ""
		if change {
			r.Revision++
		}
		if err := s.writeShare(ctx, t, &r, false); err != nil {
			return err
		}
		out = r
		if !change {
			return nil
		}
		completeEvents(&eff, r.Revision, r.Share)
		return s.applyEffects(ctx, t, env, eff, at)
	})
	return out, err
}

// ListShares returns one page of an applicant's shares (all of env's when applicantID is ""),
// newest first.
func (s *Store) ListShares(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error) {
	w := newWhere(env).eq("applicant_id", applicantID)
	return listPage(ctx, s, "shares", `SELECT `+shareColumns+` FROM shares`, w, false, cursor, limit,
		func(r row) (kyc.Share, error) {
			rec, err := s.scanShare(r)
			return rec.Share, err
		}, func(sh kyc.Share) string { return sh.ID })
}

// ShareCandidates says which applicants ApplicantsToShare lists for a partner. The statuses are
// given by package share, whose rule it is which applicants are shared.
type ShareCandidates struct {
	// Statuses are the applicant statuses that may be shared; none lists no applicant.
	Statuses []string
	// Changed lists, instead of the applicants never shared with the partner, those that changed
	// (a higher revision) since their last share with the partner was made.
	Changed bool
	// Open are the statuses of a share still under way: with Changed, an applicant that has a
	// share with the partner in one of them is not listed.
	Open []string
}

// ApplicantsToShare lists up to limit applicants of env in one of c.Statuses that have no share
// with partner yet, oldest first: the work of automatic sharing. With c.Changed, it lists instead
// those that changed since their last share with partner was made and have none in a status of
// c.Open: the work of Saintpay's update and reNew.
func (s *Store) ApplicantsToShare(ctx context.Context, env kyc.Env, partner string, c ShareCandidates, limit int) ([]string, error) {
	if len(c.Statuses) == 0 {
		return nil, nil
	}
	statuses := `a.status IN (?` + strings.Repeat(", ?", len(c.Statuses)-1) + `)`
	args := []any{string(env)}
	for _, st := range c.Statuses {
		args = append(args, st)
	}
	q := `SELECT a.id FROM applicants a WHERE a.env = ? AND ` + statuses + `
		AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ?) ORDER BY a.id LIMIT ?`
	if c.Changed {
		open := ``
		if len(c.Open) > 0 {
			open = `
		AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ? AND s.status IN (?` + strings.Repeat(", ?", len(c.Open)-1) + `))`
		}
		q = `SELECT a.id FROM applicants a WHERE a.env = ? AND ` + statuses + `
		AND a.revision > (SELECT MAX(s.applicant_revision) FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ?)` + open + `
		ORDER BY a.id LIMIT ?`
		args = append(args, partner)
		if len(c.Open) > 0 {
			args = append(args, partner)
			for _, st := range c.Open {
				args = append(args, st)
			}
		}
	} else {
		args = append(args, partner)
	}
	args = append(args, limit)
	rs, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("applicants to share: %w", err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("applicants to share: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}
