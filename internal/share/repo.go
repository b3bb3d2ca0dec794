package share

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kycd/internal/kyc"
	"kycd/internal/store"
)

// Repo keeps shares in the shares table, over the store's core: a change commits through
// Store.Change (or Store.Record, for an update that may record facts only) with its
// audit entry, events and jobs; lists page through store.ListPage. The sealed column is bound to
// "share:<id>", as it always was, so rows written before the move still open.
type Repo struct {
	st *store.Store
	// changed, when set, is told of each status change after it committed: from is the status
	// before ("" for a new share).
	changed func(ctx context.Context, from string, sh kyc.Share)
}

// NewRepo returns the shares of st.
func NewRepo(st *store.Store) *Repo { return &Repo{st: st} }

// statusChanged tells changed of a committed change from status from to sh's, if it is one.
func (r *Repo) statusChanged(ctx context.Context, from string, sh kyc.Share) {
	if r.changed != nil && from != sh.Status {
		r.changed(ctx, from, sh)
	}
}

// Record is a share with the steps of its submission already done (such as a partner's file ids),
// which a retry reuses instead of repeating them.
type Record struct {
	kyc.Share
	Steps map[string]string
	// Callbacks are the partner callbacks already applied to the share, by a key of what the
	// partner signed, with when each came: a callback seen again is a replay.
	Callbacks map[string]time.Time
	// ConfirmedAt is when an unsigned callback last led to a status query of the partner, so
	// that a flood of them costs at most one query per interval.
	ConfirmedAt time.Time
}

// sealedData is the sealed part of a share row: the partner's words may hold personal data.
type sealedData struct {
	Options       map[string]string `json:"options,omitempty"`
	PartnerStatus string            `json:"partnerStatus,omitempty"`
	Message       string            `json:"message,omitempty"`
	LastError     string            `json:"lastError,omitempty"`
	Steps         map[string]string `json:"steps,omitempty"`
	Callbacks     map[string]int64  `json:"callbacks,omitempty"`
	ConfirmedAt   int64             `json:"confirmedAt,omitempty"`
}

const columns = `id, env, applicant_id, partner, status, mode, request_no, reference, attempts, applicant_revision, data, revision, created_at, updated_at`

// aad binds a share's sealed column to its row.
func aad(id string) string { return "share:" + id }

// Create stores a new share with its effects (its event and submission job). sh.ID must be set;
// the applicant must exist in the same environment.
func (r *Repo) Create(ctx context.Context, sh *kyc.Share, eff store.Effects) error {
	at := store.Now()
	sh.CreatedTime, sh.UpdatedTime, sh.Revision = at, at, 0
	err := r.st.Change(ctx, sh.Env, func(tx *store.Tx) (store.Effects, error) {
		if err := requireApplicant(ctx, tx, sh.ApplicantID); err != nil {
			return store.Effects{}, err
		}
		if err := write(ctx, tx, &Record{Share: *sh}, true); err != nil {
			return store.Effects{}, err
		}
		completeEvents(&eff, *sh)
		return eff, nil
	})
	if err == nil {
		r.statusChanged(ctx, "", *sh)
	}
	return err
}

// requireApplicant refuses a share for an applicant that is not in the transaction's environment.
func requireApplicant(ctx context.Context, tx *store.Tx, id string) error {
	return tx.RequireApplicant(ctx, id, "path.id")
}

// completeEvents gives the events written without Data the share as it is after the change, at
// its revision.
func completeEvents(eff *store.Effects, sh kyc.Share) {
	for i := range eff.Events {
		if eff.Events[i].Data == nil {
			eff.Events[i].Data = sh
			eff.Events[i].Revision = sh.Revision
		}
	}
}

func write(ctx context.Context, tx *store.Tx, rec *Record, insert bool) error {
	sh := &rec.Share
	d := sealedData{Options: sh.Options, PartnerStatus: sh.PartnerStatus, Message: sh.Message, LastError: sh.LastError, Steps: rec.Steps}
	if len(rec.Callbacks) > 0 {
		d.Callbacks = map[string]int64{}
		for k, at := range rec.Callbacks {
			d.Callbacks[k] = store.Micros(at)
		}
	}
	if !rec.ConfirmedAt.IsZero() {
		d.ConfirmedAt = store.Micros(rec.ConfirmedAt)
	}
	plain, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	data, err := tx.Seal(plain, aad(sh.ID))
	if err != nil {
		return err
	}
	if insert {
		_, err = tx.Exec(ctx, `INSERT INTO shares (`+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sh.ID, string(sh.Env), sh.ApplicantID, sh.Partner, sh.Status, sh.Mode, sh.RequestNo, sh.Reference, sh.Attempts,
			sh.ApplicantRevision, data, sh.Revision, store.Micros(sh.CreatedTime), store.Micros(sh.UpdatedTime))
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("a share with request number %s already exists: %w", sh.RequestNo, kyc.ErrConflict)
		}
	} else {
		_, err = tx.Exec(ctx, `UPDATE shares SET status = ?, reference = ?, attempts = ?, data = ?, revision = ?, updated_at = ? WHERE env = ? AND id = ?`,
			sh.Status, sh.Reference, sh.Attempts, data, sh.Revision, store.Micros(sh.UpdatedTime), string(sh.Env), sh.ID)
	}
	if err != nil {
		return fmt.Errorf("write share: %w", err)
	}
	return nil
}

func (r *Repo) scan(row store.Row) (Record, error) {
	var rec Record
	sh := &rec.Share
	var env string
	var data []byte
	var created, updated int64
	if err := row.Scan(&sh.ID, &env, &sh.ApplicantID, &sh.Partner, &sh.Status, &sh.Mode, &sh.RequestNo, &sh.Reference, &sh.Attempts,
		&sh.ApplicantRevision, &data, &sh.Revision, &created, &updated); err != nil {
		if errors.Is(err, store.ErrNoRows) {
			return rec, err
		}
		return rec, fmt.Errorf("scan share: %w", err)
	}
	var d sealedData
	if len(data) > 0 { // empty once erased with its applicant (EraseApplicant)
		plain, err := r.st.Open(data, aad(sh.ID))
		if err != nil {
			return rec, fmt.Errorf("open sealed %s: %w", aad(sh.ID), err)
		}
		if err := json.Unmarshal(plain, &d); err != nil {
			return rec, err
		}
	}
	sh.Env, sh.CreatedTime, sh.UpdatedTime = kyc.Env(env), store.FromMicros(created), store.FromMicros(updated)
	sh.Options, sh.PartnerStatus, sh.Message, sh.LastError, rec.Steps = d.Options, d.PartnerStatus, d.Message, d.LastError, d.Steps
	if rec.Steps == nil {
		rec.Steps = map[string]string{}
	}
	rec.Callbacks = map[string]time.Time{}
	for k, at := range d.Callbacks {
		rec.Callbacks[k] = store.FromMicros(at)
	}
	if d.ConfirmedAt != 0 {
		rec.ConfirmedAt = store.FromMicros(d.ConfirmedAt)
	}
	return rec, nil
}

// byID is the query of one share of an environment by id.
const byID = `SELECT ` + columns + ` FROM shares WHERE env = ? AND id = ?`

// found answers a share's scan, with ErrNoRows as kyc.ErrNotFound naming what.
func found(rec Record, err error, what string) (Record, error) {
	if errors.Is(err, store.ErrNoRows) {
		return rec, fmt.Errorf("%s: %w", what, kyc.ErrNotFound)
	}
	return rec, err
}

// Get returns one share of env with the steps of its submission.
func (r *Repo) Get(ctx context.Context, env kyc.Env, id string) (Record, error) {
	rec, err := r.scan(r.st.QueryRow(ctx, byID, string(env), id))
	return found(rec, err, "share "+id)
}

// ByReference finds env's newest share to partner whose partner reference or request number is
// ref. A partner's callback names only its own reference, so the environment comes from where the
// callback arrived: a test share naming a live account can never take that account's callbacks.
func (r *Repo) ByReference(ctx context.Context, env kyc.Env, partner, ref string) (Record, error) {
	rec, err := r.scan(r.st.QueryRow(ctx, `SELECT `+columns+` FROM shares WHERE env = ? AND partner = ? AND (reference = ? OR request_no = ?) ORDER BY id DESC LIMIT 1`,
		string(env), partner, ref, ref))
	return found(rec, err, fmt.Sprintf("share of %s %q", partner, ref))
}

// Update reads a share under a write lock, lets mutate change it (and its steps) and name the
// effects, then writes it back. A mutate that returns Effects with an audit entry is a state
// change: the revision goes up and the effects commit with it. Without an audit entry it is
// bookkeeping: only the share (its steps, attempts, last error, callbacks) is written, at the same
// revision, and no effect at all. An error from mutate aborts with nothing written.
func (r *Repo) Update(ctx context.Context, env kyc.Env, id string, mutate func(r *Record) (store.Effects, error)) (Record, error) {
	var out Record
	var from string
	err := r.st.Record(ctx, env, func(tx *store.Tx) (store.Effects, error) {
		if err := tx.HoldApplicantOf(ctx, "shares", id); err != nil { // before the share's lock, as an erasure takes them
			return store.Effects{}, err
		}
		rec, err := r.scan(tx.QueryRow(ctx, byID+tx.ForUpdate(), string(env), id))
		if rec, err = found(rec, err, "share "+id); err != nil {
			return store.Effects{}, err
		}
		from = rec.Status
		eff, err := mutate(&rec)
		if err != nil {
			return store.Effects{}, err
		}
		rec.UpdatedTime = store.Now()
		change := eff.Audit.Action != ""
		if change {
			rec.Revision++
		}
		if err := write(ctx, tx, &rec, false); err != nil {
			return store.Effects{}, err
		}
		out = rec
		if !change {
			return store.Effects{}, nil // bookkeeping: the same revision, no audit entry, no event
		}
		completeEvents(&eff, rec.Share)
		return eff, nil
	})
	if err == nil {
		r.statusChanged(ctx, from, out.Share)
	}
	return out, err
}

// List returns one page of an applicant's shares (all of env's when applicantID is ""), newest
// first.
func (r *Repo) List(ctx context.Context, env kyc.Env, applicantID, cursor string, limit int) (kyc.Page[kyc.Share], error) {
	return store.ListPage(ctx, r.st, "shares", `SELECT `+columns+` FROM shares`, store.NewWhere(env).Eq("applicant_id", applicantID), false, cursor, limit,
		func(row store.Row) (kyc.Share, error) {
			rec, err := r.scan(row)
			return rec.Share, err
		}, func(sh kyc.Share) string { return sh.ID })
}

// neverShared is the query of NeverShared.
var neverShared = `SELECT a.id FROM applicants a WHERE a.env = ? AND a.erased_at IS NULL AND ` + in("a.status", len(shareable)) + `
		AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ?) ORDER BY a.id LIMIT ?`

// NeverShared lists up to limit applicants of env in a shareable status that have no share with
// partner yet, oldest first: the work of automatic sharing.
func (r *Repo) NeverShared(ctx context.Context, env kyc.Env, partner string, limit int) ([]string, error) {
	return r.applicantIDs(ctx, neverShared, append(statusArgs(env, shareable), partner, limit))
}

// changedSinceShared is the query of ChangedSinceShared.
var changedSinceShared = `SELECT a.id FROM applicants a WHERE a.env = ? AND a.erased_at IS NULL AND ` + in("a.status", len(shareable)) + `
		AND a.revision > (SELECT MAX(s.applicant_revision) FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ?)
		AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.env = a.env AND s.applicant_id = a.id AND s.partner = ? AND ` + in("s.status", len(underWay)) + `)
		ORDER BY a.id LIMIT ?`

// ChangedSinceShared lists up to limit applicants of env in a shareable status that changed (a
// higher revision) since their last share with partner was made and have none with it still under
// way, oldest first: the work of Saintpay's update and reNew.
func (r *Repo) ChangedSinceShared(ctx context.Context, env kyc.Env, partner string, limit int) ([]string, error) {
	args := append(statusArgs(env, shareable), partner, partner)
	for _, st := range underWay {
		args = append(args, st)
	}
	return r.applicantIDs(ctx, changedSinceShared, append(args, limit))
}

// in is column IN (?, ...) with n placeholders.
func in(column string, n int) string { return column + ` IN (?` + strings.Repeat(", ?", n-1) + `)` }

// statusArgs are the first arguments of a query of applicants: env, then statuses.
func statusArgs(env kyc.Env, statuses []string) []any {
	args := []any{string(env)}
	for _, st := range statuses {
		args = append(args, st)
	}
	return args
}

func (r *Repo) applicantIDs(ctx context.Context, q string, args []any) ([]string, error) {
	rs, err := r.st.Query(ctx, q, args...)
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
