package screening_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kycd/internal/screening"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// fixtureSnapshot is a snapshot folder made of the small fixture lists (never the real ones),
// dated date, with a manifest of their checksums.
func fixtureSnapshot(t *testing.T, date time.Time) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	m := screening.Manifest{Date: date, Files: map[string]screening.ManifestFile{}}
	add := func(name, src string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		fsys[name] = &fstest.MapFile{Data: b}
		m.Files[name] = screening.ManifestFile{URL: "https://example.org/" + name, SHA256: hex.EncodeToString(sum[:])}
	}
	for _, n := range []string{"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"} {
		add("ofac-sdn/"+n, filepath.Join("lists", "testdata", "ofac", n))
	}
	add("un/consolidated.xml", filepath.Join("lists", "testdata", "un.xml"))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fsys["manifest.json"] = &fstest.MapFile{Data: b}
	return fsys
}

// TestImportSnapshot: the bundled snapshot fills the lists the database lacks, dated by its
// manifest (stale when older than 30 days), once; a list already there is left alone; a file that
// does not match its checksum refuses the snapshot; a folder without a manifest is empty.
func TestImportSnapshot(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st, time.Millisecond)
		if vs, err := svc.ImportSnapshot(ctx, fstest.MapFS{"README.md": {Data: []byte("empty")}}); err != nil || len(vs) != 0 {
			t.Fatalf("empty snapshot: %v %v", vs, err)
		}
		old := time.Now().AddDate(0, 0, -45).UTC().Truncate(time.Second)
		snap := fixtureSnapshot(t, old)
		bad := fstest.MapFS{}
		for k, v := range snap {
			bad[k] = v
		}
		bad["un/consolidated.xml"] = &fstest.MapFile{Data: append([]byte(nil), snap["un/consolidated.xml"].Data[:len(snap["un/consolidated.xml"].Data)-10]...)}
		if _, err := svc.ImportSnapshot(ctx, bad); err == nil || !strings.Contains(err.Error(), "sha256") {
			t.Fatalf("a snapshot file that does not match its manifest: %v", err)
		}
		vs, err := svc.ImportSnapshot(ctx, snap)
		if err != nil || len(vs) != 2 {
			t.Fatalf("snapshot: %+v %v", vs, err)
		}
		lists, err := svc.Lists(ctx)
		if err != nil || len(lists) != 2 {
			t.Fatalf("lists: %+v %v", lists, err)
		}
		for _, l := range lists {
			if !l.CheckedAt.Equal(old) || l.PublishedAt == nil || !l.PublishedAt.Equal(old) || !l.Stale || !strings.HasPrefix(l.Source, "snapshot ") {
				t.Fatalf("snapshot list: %+v", l)
			}
		}
		if h, err := svc.Health(ctx); err != nil || h.State != "stale" || h.Lists != 2 || len(h.Stale) != 2 {
			t.Fatalf("health: %+v %v", h, err)
		}
		res, err := svc.Screen(ctx, screening.Query{Name: "John Quincy Smith"})
		if err != nil || len(res.Lists) != 2 {
			t.Fatalf("screen against the snapshot: %+v %v", res, err)
		}
		// At the next start the lists are there: nothing is imported again.
		if vs, err := svc.ImportSnapshot(ctx, fixtureSnapshot(t, time.Now())); err != nil || len(vs) != 0 {
			t.Fatalf("second start: %+v %v", vs, err)
		}
	})
}
