package store_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"kycd/internal/kyc"
	"kycd/internal/seal"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestApplicantDataUnderItsOwnKey: an applicant's personal data is sealed under a data key of its
// own, kept wrapped beside it; with that key destroyed the data reads as destroyed and the master
// key alone does not open it; a key copied to another applicant does not open that one's data.
func TestApplicantDataUnderItsOwnKey(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a, b := newApplicant(t, s, kyc.EnvLive, ""), newApplicant(t, s, kyc.EnvLive, "")
		var data, key []byte
		if err := s.QueryRow(ctx, `SELECT data, data_key FROM applicants WHERE id = ?`, a.ID).Scan(&data, &key); err != nil {
			t.Fatal(err)
		}
		if !seal.SealedUnderDataKey(data) || len(key) != 69 {
			t.Fatalf("the applicant's data is not under a data key: version %d, key of %d bytes", data[0], len(key))
		}
		master := storetest.Sealer(t)
		if _, err := master.Open(data, []byte("applicant:"+a.ID)); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("the master key alone opened the applicant's data: %v", err)
		}
		// Another applicant's key in a's row opens nothing.
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = (SELECT data_key FROM applicants WHERE id = ?) WHERE id = ?`, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Applicant(ctx, kyc.EnvLive, a.ID); !errors.Is(err, seal.ErrOpen) {
			t.Fatalf("a's data with b's key: %v", err)
		}
		// Destroyed: unreadable, and said so.
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = NULL WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Applicant(ctx, kyc.EnvLive, a.ID); !errors.Is(err, store.ErrDataKeyDestroyed) {
			t.Fatalf("a's data with its key destroyed: %v", err)
		}
		if got, err := s.Applicant(ctx, kyc.EnvLive, b.ID); err != nil || got.Profile.LastName != "Eriksson" {
			t.Fatalf("b is untouched: %+v %v", got, err)
		}
		// The mover cannot move a, whose data is unreadable; it still moves an applicant written
		// before keys, and names a.
		c := newApplicant(t, s, kyc.EnvLive, "")
		plain, _ := json.Marshal(map[string]any{"email": c.Email, "profile": c.Profile})
		old, err := master.Seal(plain, []byte("applicant:"+c.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, old, c.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.MoveApplicantsUnderTheirKeys(ctx, kyc.EnvLive, 10); n != 1 || !errors.Is(err, store.ErrDataKeyDestroyed) || !strings.Contains(err.Error(), a.ID) {
			t.Fatalf("the mover beside an unreadable applicant: moved %d, %v", n, err)
		}
	})
}

// TestApplicantsMoveUnderTheirKeys: applicants written before they had data keys (data sealed
// under the master key, no key) read as before; MoveApplicantsUnderTheirKeys moves them under keys
// of their own, in batches, and a change of one moves it too.
func TestApplicantsMoveUnderTheirKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		master := storetest.Sealer(t)
		var ids []string
		for range 3 {
			a := newApplicant(t, s, kyc.EnvLive, "")
			// Written the way kycd did before: the data under the master key, no data key.
			plain, _ := json.Marshal(map[string]any{"email": a.Email, "profile": a.Profile, "addresses": a.Addresses})
			old, err := master.Seal(plain, []byte("applicant:"+a.ID))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Exec(ctx, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, old, a.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		for _, id := range ids {
			if a, err := s.Applicant(ctx, kyc.EnvLive, id); err != nil || a.Profile.FirstName != "Anna" {
				t.Fatalf("a legacy applicant: %+v %v", a, err)
			}
		}
		// A change moves the changed one.
		if _, err := s.UpdateApplicant(ctx, kyc.EnvLive, ids[0], func(a *kyc.Applicant) (store.Effects, error) {
			a.Profile.FirstName = "Annika"
			return audit("applicant.update", a.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		underKey := func(id string) bool {
			t.Helper()
			var data, key []byte
			if err := s.QueryRow(ctx, `SELECT data, data_key FROM applicants WHERE id = ?`, id).Scan(&data, &key); err != nil {
				t.Fatal(err)
			}
			return seal.SealedUnderDataKey(data) && key != nil
		}
		if !underKey(ids[0]) || underKey(ids[1]) {
			t.Fatal("the update did not move the changed applicant alone under its key")
		}
		if n, err := s.MoveApplicantsUnderTheirKeys(ctx, kyc.EnvLive, 1); err != nil || n != 1 {
			t.Fatalf("first batch of one: %d %v", n, err)
		}
		if n, err := s.MoveApplicantsUnderTheirKeys(ctx, kyc.EnvLive, 10); err != nil || n != 1 {
			t.Fatalf("second batch: %d %v", n, err)
		}
		if n, err := s.MoveApplicantsUnderTheirKeys(ctx, kyc.EnvLive, 10); err != nil || n != 0 {
			t.Fatalf("nothing left: %d %v", n, err)
		}
		for i, id := range ids {
			a, err := s.Applicant(ctx, kyc.EnvLive, id)
			if err != nil || !underKey(id) || !strings.HasPrefix(a.Profile.FirstName, "Ann") || a.Email != "anna@example.com" || len(a.Addresses) != 1 {
				t.Fatalf("applicant %d after moving: %+v %v", i, a, err)
			}
		}
	})
}

// TestDocumentDataUnderItsApplicantsKey: a KYC document's identification and parsed data are
// sealed under its applicant's data key, unreadable once that key is destroyed; a document for an
// applicant written before applicants had keys moves the applicant under a key first; documents
// written before read as before.
func TestDocumentDataUnderItsApplicantsKey(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := newApplicant(t, s, kyc.EnvLive, "")
		_, d := newCase(t, s, a, "pending")
		d, err := s.DecideDocument(ctx, kyc.EnvLive, d.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.Identification = &kyc.Identification{Number: "P7711804", HolderName: "Anna Eriksson"}
			c.Document.ParsedData = map[string]any{"mrzRead": map[string]any{"surname": "ERIKSSON"}}
			return audit("kyc-document.read", d.ID), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ident, parsed []byte
		if err := s.QueryRow(ctx, `SELECT identification, parsed_data FROM kyc_documents WHERE id = ?`, d.ID).Scan(&ident, &parsed); err != nil {
			t.Fatal(err)
		}
		if !seal.SealedUnderDataKey(ident) || !seal.SealedUnderDataKey(parsed) {
			t.Fatal("the document's identification or parsed data is not under its applicant's key")
		}
		if got, err := s.Document(ctx, kyc.EnvLive, d.ID); err != nil || got.Identification.Number != "P7711804" || got.ParsedData["mrzRead"] == nil {
			t.Fatalf("the document read back: %+v %v", got, err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data_key = NULL WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Document(ctx, kyc.EnvLive, d.ID); !errors.Is(err, store.ErrDataKeyDestroyed) {
			t.Fatalf("the document with its applicant's key destroyed: %v", err)
		}
		if _, err := s.FindDocuments(ctx, kyc.EnvLive, store.DocumentFilter{ApplicantID: a.ID}, "", 10); !errors.Is(err, store.ErrDataKeyDestroyed) {
			t.Fatalf("the document in a list with its applicant's key destroyed: %v", err)
		}

		// An applicant written the old way: its document (and it) move under a new key.
		master := storetest.Sealer(t)
		old := newApplicant(t, s, kyc.EnvLive, "")
		plain, _ := json.Marshal(map[string]any{"email": old.Email, "profile": old.Profile, "addresses": old.Addresses})
		sealed, err := master.Seal(plain, []byte("applicant:"+old.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, sealed, old.ID); err != nil {
			t.Fatal(err)
		}
		_, od := newCase(t, s, old, "pending")
		if _, err := s.DecideDocument(ctx, kyc.EnvLive, od.ID, func(c *store.Case) (store.Effects, error) {
			c.Document.Identification = &kyc.Identification{Number: "X1"}
			return audit("kyc-document.read", od.ID), nil
		}); err != nil {
			t.Fatal(err)
		}
		var key []byte
		if err := s.QueryRow(ctx, `SELECT identification, data_key FROM applicants a JOIN kyc_documents d ON d.applicant_id = a.id WHERE d.id = ?`, od.ID).Scan(&ident, &key); err != nil {
			t.Fatal(err)
		}
		if key == nil || !seal.SealedUnderDataKey(ident) {
			t.Fatal("a document of an applicant without a key was not sealed under a new key of the applicant's")
		}
		if got, err := s.Applicant(ctx, kyc.EnvLive, old.ID); err != nil || got.Profile.LastName != "Eriksson" {
			t.Fatalf("the applicant moved under its key: %+v %v", got, err)
		}
		// A document written the old way reads as before.
		legacy, err := master.Seal([]byte(`{"number":"OLD1"}`), []byte("document:"+od.ID))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE kyc_documents SET identification = ? WHERE id = ?`, legacy, od.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Document(ctx, kyc.EnvLive, od.ID); err != nil || got.Identification.Number != "OLD1" {
			t.Fatalf("a document sealed under the master key: %+v %v", got, err)
		}
	})
}

// TestDocumentsMoveUnderTheirKeys: documents whose identification and parsed data were sealed
// under the master key (as kycd wrote them before) move under their applicants' keys in batches,
// unchanged (same revision, same values), the keyless applicant first; once none is left a run
// finds none.
func TestDocumentsMoveUnderTheirKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		master := storetest.Sealer(t)
		var docs []string
		for i := range 3 {
			a := newApplicant(t, s, kyc.EnvLive, "")
			_, d := newCase(t, s, a, "pending")
			ident, _ := master.Seal([]byte(`{"number":"OLD`+strconv.Itoa(i)+`"}`), []byte("document:"+d.ID))
			parsed, _ := master.Seal([]byte(`{"mrzRead":{"surname":"OLDSON"}}`), []byte("document-parsed:"+d.ID))
			if err := s.Exec(ctx, `UPDATE kyc_documents SET identification = ?, parsed_data = ? WHERE id = ?`, ident, parsed, d.ID); err != nil {
				t.Fatal(err)
			}
			if i == 0 { // and its applicant too, written the old way
				plain, _ := json.Marshal(map[string]any{"email": a.Email, "profile": a.Profile, "addresses": a.Addresses})
				old, _ := master.Seal(plain, []byte("applicant:"+a.ID))
				if err := s.Exec(ctx, `UPDATE applicants SET data = ?, data_key = NULL WHERE id = ?`, old, a.ID); err != nil {
					t.Fatal(err)
				}
			}
			docs = append(docs, d.ID)
		}
		before, err := s.Document(ctx, kyc.EnvLive, docs[0])
		if err != nil || before.Identification.Number != "OLD0" {
			t.Fatalf("a legacy document: %+v %v", before, err)
		}
		if n, err := s.MoveDocumentsUnderTheirKeys(ctx, kyc.EnvLive, 2); err != nil || n != 2 {
			t.Fatalf("first batch of two: %d %v", n, err)
		}
		if n, err := s.MoveDocumentsUnderTheirKeys(ctx, kyc.EnvLive, 2); err != nil || n != 1 {
			t.Fatalf("second batch: %d %v", n, err)
		}
		if n, err := s.MoveDocumentsUnderTheirKeys(ctx, kyc.EnvLive, 2); err != nil || n != 0 {
			t.Fatalf("nothing left: %d %v", n, err)
		}
		for i, id := range docs {
			var ident, parsed []byte
			if err := s.QueryRow(ctx, `SELECT identification, parsed_data FROM kyc_documents WHERE id = ?`, id).Scan(&ident, &parsed); err != nil {
				t.Fatal(err)
			}
			if !seal.SealedUnderDataKey(ident) || !seal.SealedUnderDataKey(parsed) {
				t.Fatalf("document %d is not under its applicant's key", i)
			}
			d, err := s.Document(ctx, kyc.EnvLive, id)
			if err != nil || d.Identification.Number != "OLD"+strconv.Itoa(i) || d.ParsedData["mrzRead"] == nil {
				t.Fatalf("document %d after moving: %+v %v", i, d, err)
			}
			if i == 0 && (d.Revision != before.Revision || !d.UpdatedTime.Equal(before.UpdatedTime)) {
				t.Errorf("moving changed the document: revision %d→%d, updated %v→%v", before.Revision, d.Revision, before.UpdatedTime, d.UpdatedTime)
			}
		}
	})
}

// TestEventsMoveUnderTheirKeys: an applicant's event whose payload was sealed under the master key
// (as kycd wrote events before) is sealed again under the applicant's key by
// MoveEventsUnderTheirKeys, reads the same, and a second run finds nothing.
func TestEventsMoveUnderTheirKeys(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Type: "individual", Status: "unverified", Level: "L0",
			Profile: kyc.Profile{FirstName: "Anna"}}
		eff := audit("applicant.create", a.ID)
		eff.Events = []store.NewEvent{{Type: kyc.EventApplicantCreated, ResourceType: "applicant", ResourceID: a.ID}}
		if err := s.CreateApplicant(ctx, &a, eff); err != nil {
			t.Fatal(err)
		}
		var id string
		var payload []byte
		if err := s.QueryRow(ctx, `SELECT id, payload FROM events WHERE applicant_id = ?`, a.ID).Scan(&id, &payload); err != nil {
			t.Fatal(err)
		}
		if !seal.SealedUnderDataKey(payload) {
			t.Fatal("a new event's payload is not under its applicant's key")
		}
		before, err := s.Event(ctx, kyc.EnvLive, id)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := json.Marshal(before.Data)
		old, err := storetest.Sealer(t).Seal(plain, []byte("event:"+id))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, `UPDATE events SET payload = ? WHERE id = ?`, old, id); err != nil {
			t.Fatal(err)
		}
		if n, err := s.MoveEventsUnderTheirKeys(ctx, kyc.EnvLive, 10); err != nil || n != 1 {
			t.Fatalf("move: %d %v", n, err)
		}
		if err := s.QueryRow(ctx, `SELECT payload FROM events WHERE id = ?`, id).Scan(&payload); err != nil || !seal.SealedUnderDataKey(payload) {
			t.Fatalf("the moved payload is not under the applicant's key: %v", err)
		}
		after, err := s.Event(ctx, kyc.EnvLive, id)
		if got, _ := json.Marshal(after.Data); err != nil || string(got) != string(plain) {
			t.Fatalf("the moved event reads %s, want %s (%v)", got, plain, err)
		}
		if n, err := s.MoveEventsUnderTheirKeys(ctx, kyc.EnvLive, 10); err != nil || n != 0 {
			t.Fatalf("nothing left: %d %v", n, err)
		}
	})
}
