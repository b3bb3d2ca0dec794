package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// folders, read raw
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets, read raw

	"kycd/internal/app/apptest"
	"kycd/internal/seal"
	"kycd/internal/store"
)

// What the erasure scan looks for, and where: the raw database (SQLite's files, PostgreSQL's
// pg_dump), the blob folder or bucket, kycd's log, and the sealed columns of the applicant.

// needle is one form of a value to look for.
type needle struct {
	what string // the field it came from, and its form
	b    []byte
	fold bool // ASCII letters compare case-insensitively
}

// textNeedles are the forms of a personal value v: v itself and its JSON-escaped form, in any
// letter case, and each run of 9 or more letters or digits in it (the random tokens, a phone
// number, an SSN) on its own.
func textNeedles(what, v string) []needle {
	out := []needle{{what: what, b: []byte(v), fold: true}}
	if j, _ := json.Marshal(v); string(j[1:len(j)-1]) != v {
		out = append(out, needle{what: what + " (JSON-escaped)", b: j[1 : len(j)-1], fold: true})
	}
	for _, run := range strings.FieldsFunc(v, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(run) >= 9 && run != v {
			out = append(out, needle{what: what + " (" + run + ")", b: []byte(run), fold: true})
		}
	}
	return out
}

// needles are every value of the applicant and slices of every file it uploaded.
func (s *erasureScene) needles() []needle {
	out := s.p.needles()
	ssn := s.p.ssn[:3] + "-" + s.p.ssn[3:5] + "-" + s.p.ssn[5:]
	out = append(out, needle{what: "profile.ssn (dashed)", b: []byte(ssn)})
	for id, b := range s.files {
		for _, at := range []int{len(b) / 3, 2 * len(b) / 3} {
			out = append(out, needle{what: fmt.Sprintf("bytes %d-%d of file %s", at, at+64, id), b: b[at : at+64]})
		}
	}
	return out
}

// found fails the test for each needle in hay, naming where (the table and column, the file, the
// object) and showing a little of what is around it.
func found(t *testing.T, where string, hay []byte, needles []needle) {
	t.Helper()
	var folded []byte
	for _, n := range needles {
		h, b := hay, n.b
		if n.fold {
			if folded == nil {
				folded = lowerASCII(hay)
			}
			h, b = folded, lowerASCII(n.b)
		}
		if i := bytes.Index(h, b); i >= 0 {
			from, to := max(0, i-40), min(len(hay), i+len(b)+40)
			t.Errorf("after erasure, %s is in %s at byte %d: …%q…", n.what, where, i, hay[from:to])
		}
	}
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// scanDatabase looks for every needle in the raw database: SQLite's file with its WAL and shared
// memory as they are on disk (and, to name the column, every cell of every table), or
// PostgreSQL's tables as pg_dump writes them. The webhook description's canary must be found, or
// the scan did not read what kycd wrote.
func (s *erasureScene) scanDatabase() {
	t := s.t
	needles := s.needles()
	canary := []needle{{what: "canary", b: []byte(s.p.canary)}}
	if s.d == store.SQLite {
		path := s.App.Config.DatabaseURL
		var all []byte
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			b, err := os.ReadFile(f)
			if errors.Is(err, fs.ErrNotExist) && f != path {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			found(t, "the SQLite file "+filepath.Base(f), b, needles)
			all = append(all, b...)
		}
		if !contains(all, canary) {
			t.Fatal("the SQLite files do not hold the webhook's description: the scan reads the wrong files")
		}
		s.scanSQLiteCells(path, needles)
		return
	}
	dump := pgDump(t, s.App.Config.DatabaseURL)
	if !contains(dump, canary) {
		t.Fatal("pg_dump does not hold the webhook's description: the scan reads the wrong database")
	}
	scanPGDump(t, dump, needles)
}

func contains(hay []byte, needles []needle) bool {
	for _, n := range needles {
		if bytes.Contains(hay, n.b) {
			return true
		}
	}
	return false
}

// scanSQLiteCells reads every cell of every table of the SQLite database at path, so that a value
// in a live row is named by its table and column (the raw scan finds it too, and finds what is in
// free pages and the WAL).
func (s *erasureScene) scanSQLiteCells(path string, needles []needle) {
	t := s.t
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rs.Columns()
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cells {
				var b []byte
				switch v := c.(type) {
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					continue
				}
				found(t, "SQLite "+table+"."+cols[i], b, needles)
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// pgDump runs pg_dump --data-only on the database at dsn: the pg_dump of the newest PostgreSQL
// under /usr/lib/postgresql (what scripts/test.sh installs), else the one on PATH. Without one the
// test skips, or fails when KYCD_TEST_REQUIRE_SERVICES=1.
func pgDump(t *testing.T, dsn string) []byte {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	major := func(p string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p)))); return n }
	slices.SortFunc(bins, func(a, b string) int { return major(a) - major(b) })
	bin := ""
	if len(bins) > 0 {
		bin = bins[len(bins)-1]
	} else if p, err := exec.LookPath("pg_dump"); err == nil {
		bin = p
	}
	if bin == "" {
		const help = "pg_dump is not installed (scripts/test.sh installs Debian's postgresql)"
		if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal(help + "; KYCD_TEST_REQUIRE_SERVICES=1 forbids skipping")
		}
		t.Skip(help)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--data-only", "--no-owner", "--no-privileges", "--dbname="+dsn)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.Bytes())
	}
	return out
}

// scanPGDump looks for the needles in a pg_dump's data: each field of each COPY row, named by its
// table and column (bytea fields, written as hex, decoded first), and every other line.
func scanPGDump(t *testing.T, dump []byte, needles []needle) {
	t.Helper()
	var table string
	var cols []string
	inCopy := false
	for i, line := range bytes.Split(dump, []byte("\n")) {
		switch {
		case inCopy && string(line) == `\.`:
			inCopy = false
		case inCopy:
			for j, f := range bytes.Split(line, []byte("\t")) {
				col := "column " + strconv.Itoa(j+1)
				if j < len(cols) {
					col = cols[j]
				}
				found(t, fmt.Sprintf("PostgreSQL %s.%s (pg_dump line %d)", table, col, i+1), copyField(f), needles)
			}
		case bytes.HasPrefix(line, []byte("COPY ")):
			// COPY public.applicants (id, env, ...) FROM stdin;
			head, rest, _ := strings.Cut(string(line[len("COPY "):]), " (")
			list, _, _ := strings.Cut(rest, ")")
			table, cols, inCopy = strings.TrimPrefix(head, "public."), strings.Split(list, ", "), true
		default:
			found(t, fmt.Sprintf("pg_dump line %d", i+1), line, needles)
		}
	}
}

// copyField is the value of a field of COPY's text format: bytea's \\x hex decoded, the other
// escapes undone.
func copyField(f []byte) []byte {
	if h, ok := bytes.CutPrefix(f, []byte(`\\x`)); ok {
		if b, err := hex.DecodeString(string(h)); err == nil {
			return b
		}
	}
	return []byte(strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r").Replace(string(f)))
}

// blobCount is how many objects the blob store (the bucket, or the blob folder) holds.
func (s *erasureScene) blobCount() int {
	n := 0
	count := func(string, []byte) { n++ }
	if s.onS3() {
		s.eachObject(count)
	} else {
		s.eachFile(s.BlobDir, count)
	}
	return n
}

func (s *erasureScene) onS3() bool { return strings.HasPrefix(s.blobs, "s3://") }

// eachObject calls fn with the raw bytes of every object of the S3 bucket, under kycd's prefix.
func (s *erasureScene) eachObject(fn func(where string, raw []byte)) {
	t := s.t
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, s.blobs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	it := b.List(nil)
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("list the bucket: %v", err)
		}
		raw, err := b.ReadAll(ctx, obj.Key)
		if err != nil {
			t.Fatalf("read S3 object %s: %v", obj.Key, err)
		}
		fn("S3 object "+obj.Key, raw)
	}
}

// eachFile calls fn with the bytes of every file under dir.
func (s *erasureScene) eachFile(dir string, fn func(where string, raw []byte)) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn("file "+path, raw)
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// blobKeys are the keys of the applicant's file blobs.
func (s *erasureScene) blobKeys() []string {
	rs, err := s.App.Store.Query(context.Background(), `SELECT blob_key FROM files WHERE applicant_id = ?`, s.apl)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rs.Close()
	var keys []string
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			s.t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if len(keys) != len(s.files) {
		s.t.Fatalf("the applicant's files have %d blob keys, want %d", len(keys), len(s.files))
	}
	return keys
}

// blobsGone fails the test for each of keys still in the blob store (folder or bucket), sealed or
// not: once blobsPurgedTime is set, the purge is done.
func (s *erasureScene) blobsGone(keys []string) {
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, s.blobs)
	if err != nil {
		s.t.Fatal(err)
	}
	defer b.Close()
	for _, k := range keys {
		if ok, err := b.Exists(ctx, k); err != nil || ok {
			s.t.Errorf("after the purge, the blob %s of the erased applicant is still in %s (%v)", k, s.blobs, err)
		}
	}
}

// scanBlobs looks for the needles in every object left in the bucket, and every file left under
// kycd's data folder (the blob folder, the upload spool).
func (s *erasureScene) scanBlobs() {
	needles := s.needles()
	look := func(where string, raw []byte) { found(s.t, where, raw, needles) }
	if s.onS3() {
		s.eachObject(look)
	}
	s.eachFile(s.App.Config.DataDir, look)
}

// scanLog looks for the needles in everything kycd logged during the test.
func (s *erasureScene) scanLog() {
	log := s.log.bytes()
	if len(log) == 0 {
		s.t.Fatal("kycd logged nothing: the log scan would prove nothing")
	}
	found(s.t, "kycd's log", log, s.needles())
}

// sealedColumn is a column that holds a sealed personal value of an applicant. query selects the
// applicant's rows as (row key, sealed value): @apl is the applicant's id, @ids the ids of the
// applicant and of everything it owns, @idem the Idempotency-Key it was created with. aad is the
// additional data kycd seals the value of the row with, from its key. Values of the
// applicant-erased event (which holds no personal data) are not selected. A new sealed column is
// one more line.
type sealedColumn struct {
	name  string
	query string
	aad   string // the AAD is aad followed by the row key
}

var sealedColumns = []sealedColumn{
	{"applicants.data", `SELECT id, data FROM applicants WHERE id = @apl`, "applicant:"},
	{"kyc_documents.identification", `SELECT id, identification FROM kyc_documents WHERE applicant_id = @apl`, "document:"},
	{"kyc_documents.parsed_data", `SELECT id, parsed_data FROM kyc_documents WHERE applicant_id = @apl`, "document-parsed:"},
	{"events.payload", `SELECT id, payload FROM events WHERE resource_id IN (@ids) AND type <> 'applicant-erased'`, "event:"},
	{"webhook_deliveries.body", `SELECT event_id, body FROM webhook_deliveries WHERE resource_id IN (@ids) AND event_type <> 'applicant-erased'`, "webhook-body:"},
	{"webhook_deliveries.last_response", `SELECT id, last_response FROM webhook_deliveries WHERE resource_id IN (@ids) AND event_type <> 'applicant-erased'`, "webhook-delivery:"},
	{"face_embeddings.embedding", `SELECT document_id || ':' || file_id, embedding FROM face_embeddings WHERE applicant_id = @apl`, "face:test:"},
	{"liveness_sessions.result", `SELECT id, result FROM liveness_sessions WHERE applicant_id = @apl`, "liveness_sessions:"},
	{"drafts.data", `SELECT applicant_id, data FROM drafts WHERE applicant_id = @apl`, "drafts:test:"},
	{"review_notes.body", `SELECT id, body FROM review_notes WHERE applicant_id = @apl`, "review_notes:"},
	{"review_proposals.decision", `SELECT p.id, p.decision FROM review_proposals p JOIN review_cases c ON c.id = p.case_id WHERE c.applicant_id = @apl`, "review_proposals:"},
	{"shares.data", `SELECT id, data FROM shares WHERE applicant_id = @apl`, "share:"},
	{"idempotency_keys.response_body", `SELECT idem_key, response_body FROM idempotency_keys WHERE env = 'test' AND idem_key = @idem`, "idempotency:test:"},
}

// mayBeEmpty says why the test gives a column of sealedColumns no value. Any other column without
// one before erasure fails the test, which would prove nothing about it.
var mayBeEmpty = map[string]string{
	"webhook_deliveries.last_response": "kycd keeps receivers' answers only from public addresses, and the test's receiver is on loopback",
}

// keptSealed names the columns of sealedColumns whose value erasure may keep, still opening, on
// purpose: each says why, and what opens must hold no personal value. Empty: every sealed value
// of the erased applicant must fail to open (issue 17). A value kept here must be what a regulator
// needs and no personal data, such as a decision without its message.
var keptSealed = map[string]string{
	// A proposed decision stays as the four-eyes trail: its action and rejection type. Erasure
	// removes its note and message, the free text (review.Service.EraseApplicant).
	"review_proposals.decision": "the proposed action and rejection type, without note or message",
}

// ownedBy lists the tables whose rows name their applicant, for @ids.
var ownedBy = []string{"kyc_documents", "kyc_requests", "files", "screenings", "shares", "review_cases", "liveness_sessions"}

// sealedSnapshot is what the test knew before erasure: the ids the applicant owned and its
// wrapped data key, as a backup taken then would hold it.
type sealedSnapshot struct {
	ids     []string
	dataKey []byte
}

// sealer is the test's own sealer, with the master key kycd runs with.
func (s *erasureScene) sealer() *seal.Sealer {
	key, err := base64.StdEncoding.DecodeString(apptest.MasterKey)
	if err != nil {
		s.t.Fatal(err)
	}
	sl, err := seal.New(key)
	if err != nil {
		s.t.Fatal(err)
	}
	return sl
}

// sealedValuesOpen: before erasure, every column of sealedColumns has values of the applicant and
// each opens with the test's own master key and the AAD of the table (under the applicant's data
// key, or the master key itself): the table is right, so that its failures to open after erasure
// mean something.
func (s *erasureScene) sealedValuesOpen() sealedSnapshot {
	t := s.t
	ctx := context.Background()
	snap := sealedSnapshot{ids: []string{s.apl}}
	for _, table := range ownedBy {
		rs, err := s.App.Store.Query(ctx, `SELECT id FROM `+table+` WHERE applicant_id = ?`, s.apl)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				t.Fatal(err)
			}
			snap.ids = append(snap.ids, id)
		}
		rs.Close()
	}
	if err := s.App.Store.QueryRow(ctx, `SELECT data_key FROM applicants WHERE id = ?`, s.apl).Scan(&snap.dataKey); err != nil {
		t.Fatal(err)
	}
	sl := s.sealer()
	for _, c := range sealedColumns {
		n := 0
		for key, v := range s.sealedValues(c, snap) {
			if len(v) == 0 {
				continue
			}
			n++
			if _, how := s.open(sl, snap.dataKey, c, key, v); how == "" {
				t.Errorf("before erasure, %s of %s does not open with the AAD %q: the test's table of sealed columns is out of date", c.name, key, c.aad+key)
			}
		}
		if _, ok := mayBeEmpty[c.name]; n == 0 && !ok {
			t.Errorf("before erasure, the applicant has no value in %s: the test makes none, so it proves nothing about it", c.name)
		}
	}
	return snap
}

// sealedValuesFail: after erasure, the applicant's data key is gone, and each value of the
// applicant left in a sealed column is empty or opens neither under the master key nor under the
// data key as it was before erasure (as a backup of the key taken then would give it).
func (s *erasureScene) sealedValuesFail(snap sealedSnapshot) {
	t := s.t
	var key []byte
	if err := s.App.Store.QueryRow(context.Background(), `SELECT data_key FROM applicants WHERE id = ?`, s.apl).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if key != nil {
		t.Errorf("after erasure, applicants.data_key of %s is still set (%d bytes)", s.apl, len(key))
	}
	sl := s.sealer()
	for _, c := range sealedColumns {
		for rowKey, v := range s.sealedValues(c, snap) {
			if len(v) == 0 {
				continue
			}
			plain, how := s.open(sl, snap.dataKey, c, rowKey, v)
			if _, kept := keptSealed[c.name]; kept && how != "" {
				found(t, c.name+" of "+rowKey+", opened "+how, plain, s.needles())
				continue
			}
			if how != "" {
				t.Errorf("after erasure, %s of %s still opens %s, to %d bytes: %.80q", c.name, rowKey, how, len(plain), plain)
			}
		}
	}
}

// sealedValues returns the applicant's values of column c, by row key.
func (s *erasureScene) sealedValues(c sealedColumn, snap sealedSnapshot) map[string][]byte {
	t := s.t
	q, args := expand(c.query, map[string][]string{"@apl": {s.apl}, "@ids": snap.ids, "@idem": {s.idemKey}})
	rs, err := s.App.Store.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	defer rs.Close()
	out := map[string][]byte{}
	for rs.Next() {
		var key string
		var v []byte
		if err := rs.Scan(&key, &v); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		out[key] = v
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return out
}

// open tries to open v of column c's row key with the master key, then under the wrapped data key
// dataKey (when there is one); it returns the plaintext and how it opened, or "" when it did not.
func (s *erasureScene) open(sl *seal.Sealer, dataKey []byte, c sealedColumn, key string, v []byte) ([]byte, string) {
	aad := []byte(c.aad + key)
	if plain, err := sl.Open(v, aad); err == nil {
		return plain, "with the master key"
	}
	if dataKey != nil {
		if plain, err := sl.OpenUnder(dataKey, []byte("applicant-key:test:"+s.apl), v, aad); err == nil {
			return plain, "under the applicant's data key as it was before erasure"
		}
	}
	return nil, ""
}

// expand replaces each @name of q by one ? per value of vars[@name], in order, and returns the
// arguments that go with them.
func expand(q string, vars map[string][]string) (string, []any) {
	var b strings.Builder
	var args []any
	for {
		i := strings.IndexByte(q, '@')
		if i < 0 {
			b.WriteString(q)
			return b.String(), args
		}
		b.WriteString(q[:i])
		j := i + 1
		for j < len(q) && (q[j] >= 'a' && q[j] <= 'z') {
			j++
		}
		vals := vars[q[i:j]]
		for k, v := range vals {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("?")
			args = append(args, v)
		}
		q = q[j:]
	}
}

// checkReceipt verifies the erasure's signed receipt with the test's own code, from what the API
// documents: payload, signature and publicKey are base64url without padding, the signature is
// Ed25519's over the payload's bytes, and the payload is the receipt's JSON. A payload with one
// byte changed must not verify. That publicKey is the installation's, and that `kycd receipt
// verify` agrees, cmd/kycd's TestReceiptVerifyOfAnErasure shows (its run is in package main).
func (s *erasureScene) checkReceipt(erasure map[string]any) {
	t := s.t
	rc, _ := erasure["receipt"].(map[string]any)
	field := func(name string) []byte {
		v, _ := rc[name].(string)
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(b) == 0 {
			t.Fatalf("receipt.%s is not base64url without padding: %q (%v); the erasure: %v", name, v, err, erasure)
		}
		return b
	}
	payload, sig, pub := field("payload"), field("signature"), field("publicKey")
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		t.Fatalf("receipt: a public key of %d bytes and a signature of %d, want %d and %d", len(pub), len(sig), ed25519.PublicKeySize, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, payload, sig) {
		t.Fatalf("the receipt's signature does not verify: %s", payload)
	}
	for _, i := range []int{0, len(payload) / 2, len(payload) - 1} {
		tampered := bytes.Clone(payload)
		tampered[i] ^= 0x01
		if ed25519.Verify(pub, tampered, sig) {
			t.Errorf("the receipt verifies with byte %d of its payload changed", i)
		}
	}
	var r struct {
		Type        string          `json:"type"`
		Env         string          `json:"env"`
		ApplicantID string          `json:"applicantId"`
		ErasedTime  time.Time       `json:"erasedTime"`
		Destroyed   map[string]any  `json:"destroyed"`
		Kept        json.RawMessage `json:"kept"`
	}
	if err := json.Unmarshal(payload, &r); err != nil {
		t.Fatalf("the receipt's payload is not JSON: %v: %s", err, payload)
	}
	erased, err := time.Parse(time.RFC3339Nano, fmt.Sprint(erasure["erasedTime"]))
	if err != nil {
		t.Fatalf("the erasure's erasedTime: %v", err)
	}
	if r.Type != "kycd.erasure-receipt.v1" || r.Env != "test" || r.ApplicantID != s.apl || !r.ErasedTime.Equal(erased) || r.Destroyed["dataKey"] != true {
		t.Errorf("the receipt says %s, want type kycd.erasure-receipt.v1, env test, applicantId %s, erasedTime %s and destroyed.dataKey true",
			payload, s.apl, erased.Format(time.RFC3339Nano))
	}
	found(t, "the erasure receipt", payload, s.needles())
}
