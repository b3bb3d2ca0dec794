package export_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"kycd/internal/export"
	"kycd/internal/kyc"
)

// memory is a Source over slices, paged as the store pages (cursor: the index to go on from),
// that counts the items it was asked for.
type memory struct {
	applicant kyc.Applicant
	documents []kyc.Document
	files     []kyc.File
	events    map[string][]kyc.Event
	notes     []export.Note
	complete  bool
	asked     int
}

func pageOf[T any](m *memory, items []T, cursor string, limit int) (kyc.Page[T], error) {
	if limit < 1 || limit > 100 {
		return kyc.Page[T]{}, fmt.Errorf("limit %d", limit)
	}
	from, _ := strconv.Atoi(cursor)
	to := min(from+limit, len(items))
	m.asked += to - from
	pg := kyc.Page[T]{Items: append([]T{}, items[from:to]...)}
	if to < len(items) {
		pg.NextCursor = strconv.Itoa(to)
	}
	return pg, nil
}

func (m *memory) Applicant(_ context.Context, _ kyc.Env, id string) (kyc.Applicant, error) {
	if id != m.applicant.ID {
		return kyc.Applicant{}, fmt.Errorf("applicant %s: %w", id, kyc.ErrNotFound)
	}
	return m.applicant, nil
}
func (m *memory) Requests(_ context.Context, _ kyc.Env, _, c string, n int) (kyc.Page[kyc.Request], error) {
	return pageOf[kyc.Request](m, nil, c, n)
}
func (m *memory) Documents(_ context.Context, _ kyc.Env, _, c string, n int) (kyc.Page[kyc.Document], error) {
	return pageOf(m, m.documents, c, n)
}
func (m *memory) Files(_ context.Context, _ kyc.Env, _, c string, n int) (kyc.Page[kyc.File], error) {
	return pageOf(m, m.files, c, n)
}
func (m *memory) OpenFile(_ context.Context, _ kyc.Env, id string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("bytes of " + id)), nil
}
func (m *memory) Screenings(_ context.Context, _ kyc.Env, _, c string, n int) (kyc.Page[kyc.Screening], error) {
	return pageOf[kyc.Screening](m, nil, c, n)
}
func (m *memory) Shares(_ context.Context, _ kyc.Env, _, c string, n int) (kyc.Page[kyc.Share], error) {
	return pageOf[kyc.Share](m, nil, c, n)
}
func (m *memory) Events(_ context.Context, _ kyc.Env, id, c string, n int) (kyc.Page[kyc.Event], error) {
	return pageOf(m, m.events[id], c, n)
}
func (m *memory) Notes(context.Context, kyc.Env, string) ([]export.Note, bool, error) {
	return m.notes, m.complete, nil
}

func fill(t *testing.T, docs, files, eventsEach int) *memory {
	t.Helper()
	m := &memory{applicant: kyc.Applicant{ID: kyc.NewID(kyc.PrefixApplicant), Env: kyc.EnvLive, Profile: kyc.Profile{FirstName: "Anna"}},
		events: map[string][]kyc.Event{}, complete: true}
	for range docs {
		m.documents = append(m.documents, kyc.Document{ID: kyc.NewID(kyc.PrefixDocument), CheckList: []kyc.Check{{Name: "mrz-valid"}}})
	}
	for range files {
		m.files = append(m.files, kyc.File{ID: kyc.NewID(kyc.PrefixFile), MIME: "application/pdf"})
	}
	for _, id := range []string{m.applicant.ID} {
		for i := range eventsEach {
			m.events[id] = append(m.events[id], kyc.Event{ID: kyc.NewID(kyc.PrefixEvent), ResourceID: id, Type: kyc.EventApplicantUpdated, Revision: int64(i)})
		}
	}
	return m
}

func write(t *testing.T, x *export.Exporter, id string) (map[string][]byte, export.Manifest) {
	t.Helper()
	a, err := x.Prepare(t.Context(), kyc.EnvLive, id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.Write(t.Context(), &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for i, f := range zr.File {
		rc, _ := f.Open()
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = b
		if f.Name == "manifest.json" && i != len(zr.File)-1 {
			t.Errorf("the manifest is entry %d of %d, not the last", i, len(zr.File))
		}
	}
	var m export.Manifest
	if err := json.Unmarshal(got["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Entries {
		sum := sha256.Sum256(got[e.Name])
		if e.Size != int64(len(got[e.Name])) || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest entry %s: %d bytes %s, the entry has %d bytes %x", e.Name, e.Size, e.SHA256, len(got[e.Name]), sum)
		}
	}
	if len(m.Entries) != len(got)-1 {
		t.Errorf("the manifest lists %d entries of %d", len(m.Entries), len(got)-1)
	}
	return got, m
}

// TestCaps: each list is read page by page up to its cap, every page at most 100 items; a list cut
// at its cap, the events cut at theirs and notes the source bounded are named in the manifest;
// a list exactly at its cap is not called cut.
func TestCaps(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name                       string
		docs, files, events        int
		maxItems, maxEvents        int
		notesComplete              bool
		wantDocs, wantFiles, wantN int
		wantCut                    []string
	}{
		{"whole", 3, 2, 250, 0, 0, true, 3, 2, 250, nil},
		{"at the caps", 5, 5, 7, 5, 7, true, 5, 5, 7, nil},
		{"over the caps", 6, 2, 8, 5, 7, false, 5, 2, 7, []string{"documents/", "notes.json", "events.json"}},
		{"pages of 100", 250, 0, 0, 230, 0, true, 230, 0, 0, []string{"documents/"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := fill(t, c.docs, c.files, c.events)
			src.complete = c.notesComplete
			x := export.New(src, export.Config{Version: "v-test", MaxItems: c.maxItems, MaxEvents: c.maxEvents, Now: func() time.Time { return time.Unix(1e9, 0) }})
			got, m := write(t, x, src.applicant.ID)
			docs, files := 0, 0
			for name := range got {
				docs += bool2int(strings.HasPrefix(name, "documents/"))
				files += bool2int(strings.HasPrefix(name, "files/") && strings.HasSuffix(name, ".pdf"))
			}
			var events []kyc.Event
			if err := json.Unmarshal(got["events.json"], &events); err != nil {
				t.Fatal(err)
			}
			if docs != c.wantDocs || files != c.wantFiles || len(events) != c.wantN {
				t.Errorf("%d documents, %d files, %d events; want %d, %d, %d", docs, files, len(events), c.wantDocs, c.wantFiles, c.wantN)
			}
			if len(m.Truncated) != len(c.wantCut) {
				t.Fatalf("truncated %q, want notes on %v", m.Truncated, c.wantCut)
			}
			for i, w := range c.wantCut {
				if !strings.HasPrefix(m.Truncated[i], w) {
					t.Errorf("truncated[%d] = %q, want a note on %s", i, m.Truncated[i], w)
				}
			}
			if m.KycdVersion != "v-test" || m.ApplicantID != src.applicant.ID || !m.GeneratedTime.Equal(time.Unix(1e9, 0)) {
				t.Errorf("manifest: %+v", m)
			}
			// Bounded: the source was asked for at most a probe more than the caps allow.
			if bound := c.wantDocs + c.wantFiles + c.wantN + 3; src.asked > bound {
				t.Errorf("read %d items for an export of %d", src.asked, bound)
			}
		})
	}
}

func bool2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestNotFound: an applicant the source does not have is kyc.ErrNotFound, and nothing else is read.
func TestNotFound(t *testing.T) {
	t.Parallel()
	src := fill(t, 1, 1, 1)
	_, err := export.New(src, export.Config{}).Prepare(t.Context(), kyc.EnvLive, "apl_01JAAAAAAAAAAAAAAAAAAAAAAA")
	if !errors.Is(err, kyc.ErrNotFound) || src.asked != 0 {
		t.Fatalf("%v after reading %d items", err, src.asked)
	}
}
