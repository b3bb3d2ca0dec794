package check

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"kycd/internal/mrz/mrztest"
)

// docShownCache holds the samples of each seed, generated once per test binary by the first test
// that asks (under the seed's lock).
var docShownCache = map[uint64]*struct {
	sync.Mutex
	samples []docSample
}{docTuneSeed: {}, docEvalSeed: {}}

// docShownSamples returns the generated documents and the non-documents of seed.
func docShownSamples(t *testing.T, seed uint64) []docSample {
	t.Helper()
	c := docShownCache[seed]
	c.Lock()
	defer c.Unlock()
	if c.samples == nil {
		c.samples = append(generatedDocuments(t, seed), nonDocuments(t, seed)...)
	}
	return c.samples
}

// docShownScore is what DocumentShown reads of one image: its text rows and faces.
type docShownScore struct {
	rows, faces int
}

func scoreDocShown(s docSample) docShownScore {
	g := Normalize(s.img)
	return docShownScore{rows: FindTextRows(g).Rows, faces: CountFaces(g)}
}

// docShownFigures scores every sample of seed and returns the fewest text rows of a document,
// the most of a non-document, and the least faces of a front.
func docShownFigures(t *testing.T, seed uint64) (docMin, nonMax, frontFaces int) {
	t.Helper()
	docMin, frontFaces = 1<<30, 1<<30
	var docRows []int
	for _, s := range docShownSamples(t, seed) {
		sc := scoreDocShown(s)
		switch {
		case s.document:
			docMin = min(docMin, sc.rows)
			docRows = append(docRows, sc.rows)
			if s.front {
				frontFaces = min(frontFaces, sc.faces)
			}
		case s.front: // each non-document is listed as a front and as a back: count it once
			nonMax = max(nonMax, sc.rows)
			if sc.rows > 0 {
				t.Logf("non-document with %d text rows: %s", sc.rows, s.name)
			}
		}
	}
	slices.Sort(docRows)
	t.Logf("seed %d: documents have %d-%d text rows (median %d), non-documents at most %d; fronts show at least %d face",
		seed, docMin, docRows[len(docRows)-1], docRows[len(docRows)/2], nonMax, frontFaces)
	return docMin, nonMax, frontFaces
}

// TestDocumentShownMargins holds MinTextRows between the documents and the non-documents of both
// seeds with the margins its comment gives: every document has at least one row more than it
// needs, every non-document at least one row fewer, and every front shows a face.
func TestDocumentShownMargins(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{docTuneSeed, docEvalSeed} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			docMin, nonMax, faces := docShownFigures(t, seed)
			if docMin < MinTextRows+1 || nonMax > MinTextRows-1 || faces < 1 {
				t.Errorf("documents from %d rows, non-documents up to %d, fronts from %d faces: MinTextRows %d needs recalibrating",
					docMin, nonMax, faces, MinTextRows)
			}
		})
	}
}

// TestDocumentShown runs the check on the evaluation seed's documents, each of which must pass
// (fronts as fronts, and every document as a back), and on the non-documents, each of which must
// fail for review as a front and as a back.
func TestDocumentShown(t *testing.T) {
	t.Parallel()
	docs, nonDocs := 0, 0
	for _, s := range docShownSamples(t, docEvalSeed) {
		r := DocumentShown(s.img, s.front)
		if !s.document {
			nonDocs++
			assertResult(t, r, NameDocumentShown, ReasonUnreadable)
			if !r.Review || r.Decisive {
				t.Errorf("%s (front %v): Review %v Decisive %v, want a review failure", s.name, s.front, r.Review, r.Decisive)
			}
			continue
		}
		docs++
		if r.Failed {
			t.Errorf("document %s: %s", s.name, r.Detail)
		}
		if s.front {
			if r := DocumentShown(s.img, false); r.Failed {
				t.Errorf("document %s as a back: %s", s.name, r.Detail)
			}
		}
	}
	if docs < docsPerSeed || nonDocs < 2*len(testImageNames) {
		t.Fatalf("only %d documents and %d non-documents checked", docs, nonDocs)
	}
}

// TestDocumentShownSays checks what DocumentShown says it is missing, and that a copy from
// Normalize gets the answer the full image gets.
func TestDocumentShownSays(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(docEvalSeed, 3))
	f := mrztest.FormatOf("TD1")
	withPortrait := mrztest.Render(rng, mrztest.Card{Format: f, Lines: zoneFor(rng, f), Width: 1000, Portrait: portraitFor(t, f)})
	noPortrait := mrztest.Render(rng, mrztest.Card{Format: f, Lines: zoneFor(rng, f), Width: 1000})
	tests := []struct {
		name   string
		r      Result
		detail string // what the Detail must contain; "" for a pass
	}{
		{"a card's front", DocumentShown(withPortrait, true), ""},
		{"a card's front, normalised", DocumentShown(Normalize(withPortrait), true), ""},
		{"a card without a portrait as the back", DocumentShown(noPortrait, false), ""},
		{"a card without a portrait as the front", DocumentShown(noPortrait, true), "no portrait"},
		{"the astronaut as the front", DocumentShown(testImage(t, "astronaut"), true), "0 rows of printed text"},
		{"handwriting as the back", DocumentShown(testImage(t, "text"), false), "rows of printed text, want at least 3"},
		{"a blank image", DocumentShown(uniform(800, 600, 230), false), "0 rows of printed text"},
		{"an empty image", DocumentShown(uniform(0, 0, 0), true), "0 rows of printed text"},
	}
	for _, tt := range tests {
		if tt.detail == "" {
			assertResult(t, tt.r, NameDocumentShown, "pass")
			continue
		}
		assertResult(t, tt.r, NameDocumentShown, ReasonUnreadable)
		if !tt.r.Review || !strings.Contains(tt.r.Detail, tt.detail) {
			t.Errorf("%s: Review %v, Detail %q, want review and %q", tt.name, tt.r.Review, tt.r.Detail, tt.detail)
		}
	}
}

// TestSelfieNotDocument: every generated document sent as a selfie is held for a person; no
// test photo or blank page is (the astronaut is the selfie the other tests send).
func TestSelfieNotDocument(t *testing.T) {
	t.Parallel()
	docs := 0
	for _, s := range docShownSamples(t, docEvalSeed) {
		r := SelfieNotDocument(s.img)
		if !s.document {
			if r.Failed {
				t.Errorf("%s as a selfie: %s", s.name, r.Detail)
			}
			continue
		}
		docs++
		assertResult(t, r, NameSelfieNotDocument, ReasonThirdParty)
		if !r.Review {
			t.Errorf("document %s as a selfie: not a review failure", s.name)
		}
	}
	if docs < docsPerSeed {
		t.Fatalf("only %d documents checked", docs)
	}
}
