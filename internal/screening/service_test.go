package screening_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"kycd/internal/kyc"
	"kycd/internal/level"
	"kycd/internal/screening"
	"kycd/internal/screening/lists"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// newService is a screening service on st whose store can insert the jobs an import causes.
func newService(t *testing.T, st *store.Store, checkEvery time.Duration) *screening.Service {
	t.Helper()
	svc := screening.NewService(st, screening.NewLists(st, checkEvery), 0, level.Defaults())
	workers := river.NewWorkers()
	screening.Register(workers, svc, st)
	if err := st.InitJobs(store.JobsConfig{Workers: workers}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// copyFixture copies the OFAC fixture to a temporary folder, cutting sdn.csv to cut bytes when
// cut > 0 (a truncated download).
func copyFixture(t *testing.T, cut int) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("lists", "testdata", "ofac")
	for _, name := range lists.FileNames(lists.OFACSDN) {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "sdn.csv" && cut > 0 {
			b = b[:cut]
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTruncatedImportKeepsTheListInUse: an import of a truncated file is refused with a clear
// error, the stored version stays, and screening goes on against it.
func TestTruncatedImportKeepsTheListInUse(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := newService(t, st, time.Millisecond)
		ims, err := screening.ReadSources(ctx, []string{copyFixture(t, 0)}, filepath.Join("lists", "testdata", "un.xml"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.ImportAll(ctx, ims); err != nil {
			t.Fatal(err)
		}
		before, err := svc.Lists(ctx)
		if err != nil || len(before) != 2 {
			t.Fatalf("lists: %v %v", before, err)
		}
		_, err = screening.ReadSources(ctx, []string{copyFixture(t, 150)}, "", nil)
		if !errors.Is(err, lists.ErrMalformed) {
			t.Fatalf("truncated sdn.csv: %v", err)
		}
		after, err := svc.Lists(ctx)
		if err != nil || len(after) != 2 || after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("the stored versions changed: %v -> %v (%v)", before, after, err)
		}
		// A file cut at a line boundary parses; the drop in entries gives it away.
		cut, err := screening.ReadSources(ctx, []string{copyFixture(t, 0)}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Import(ctx, cut[0].List, "cut", cut[0].Entries[:1], [][]byte{[]byte("cut")}, false); !errors.Is(err, screening.ErrShrunk) {
			t.Fatalf("a list cut to a third: %v", err)
		}
		res, err := svc.Screen(ctx, screening.Query{Name: "John Quincy Smith"})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].EntryID != "100" || len(res.Lists) != 2 {
			t.Fatalf("screening after a refused import: %+v %v", res, err)
		}
	})
}

// TestReplicasFollowAnImport: a second holder on the same database (another replica) serves the
// new version once its check interval has passed, and an unchanged re-import changes nothing.
func TestReplicasFollowAnImport(t *testing.T) {
	t.Parallel()
	storetest.ForEachDatabase(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		importer := newService(t, st, 0)
		replica := screening.NewService(st, screening.NewLists(st, time.Millisecond), 0, level.Defaults())
		if vs, err := replica.Lists(ctx); err != nil || len(vs) != 0 {
			t.Fatalf("before any import: %v %v", vs, err)
		}
		ims, err := screening.ReadSources(ctx, nil, filepath.Join("lists", "testdata", "un.xml"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := importer.ImportAll(ctx, ims); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
		res, err := replica.Screen(ctx, screening.Query{Name: "Eric Badege"})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].EntryID != "CDi.001" || res.Lists[0].EntryCount != 2 {
			t.Fatalf("replica after import: %+v %v", res, err)
		}
		// minScore: any value in (0, 1]; a lower one keeps every hit of a higher one.
		low, err := replica.Screen(ctx, screening.Query{Name: "Eric Badege", MinScore: 0.01})
		if err != nil || low.Threshold != 0.01 || len(low.Hits) < 1 || low.Hits[0].EntryID != res.Hits[0].EntryID || low.Hits[0].Score != res.Hits[0].Score {
			t.Fatalf("minScore 0.01: %+v %v", low, err)
		}
		for _, bad := range []float64{-0.5, 1.01} {
			if _, err := replica.Screen(ctx, screening.Query{Name: "Eric Badege", MinScore: bad}); !errors.As(err, new(*kyc.ValidationError)) {
				t.Fatalf("minScore %v: %v", bad, err)
			}
		}
		_, ch, err := importer.Import(ctx, ims[0].List, ims[0].Source, ims[0].Entries, ims[0].Raw, false)
		if err != nil || len(ch.Changed) != 0 || ch.Previous == "" {
			t.Fatalf("re-import of the same version: %+v %v", ch, err)
		}
	})
}

// TestReadSourcesOverHTTP: lists come from URL prefixes as from folders; a missing optional file
// (404) is skipped, a failing server refuses the import.
func TestReadSourcesOverHTTP(t *testing.T) {
	t.Parallel()
	dir := copyFixture(t, 0)
	if err := os.Remove(filepath.Join(dir, "add.csv")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/ofac/", http.FileServer(http.Dir(dir))))
	defer srv.Close()
	ims, err := screening.ReadSources(context.Background(), []string{srv.URL + "/ofac/"}, "", nil)
	if err != nil || len(ims) != 1 || ims[0].List != lists.OFACSDN || len(ims[0].Entries) != 3 || len(ims[0].Raw) != 3 {
		t.Fatalf("over HTTP: %v %+v", err, ims)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer broken.Close()
	if _, err := screening.ReadSources(context.Background(), nil, broken.URL+"/consolidated.xml", nil); err == nil {
		t.Fatal("a 502 was imported")
	}
}
