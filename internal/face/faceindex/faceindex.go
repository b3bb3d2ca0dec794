// Package faceindex finds, among the face embeddings of an environment, the ones close to a new
// face: the search behind the "same face under two identities" check of issue 13 (item 4). It
// holds embeddings in memory and scans them all; it does no I/O, knows nothing of applicants
// beyond an opaque key per face, and computes no embedding itself.
//
// # Why a flat scan of int8 codes
//
// A face is a 128-dimensional embedding, compared by cosine similarity (the embeddings are
// normalised to unit length on Add). Each is stored as 128 signed bytes scaled by its largest
// component, with that scale: 132 bytes a face, 132 MB for a million, where float32 would take
// 512 MB. A search computes the integer dot product of the query's code with every stored code
// (a loop the Go compiler keeps in registers, split across GOMAXPROCS goroutines) and rescales it.
// The rounding costs at most about 0.01 of cosine similarity (TestQuantisationError measures it);
// callers compare with a threshold far from that, and may rescore the few matches exactly from
// their own copy of the embeddings.
//
// The alternatives were an approximate nearest-neighbour graph (HNSW) or a product-quantised
// inverted file: both answer faster at a million faces but can miss the true nearest face, which
// for a fraud check is the one case that matters, and need tuning and rebuilding; a flat scan is
// exact up to the rounding above and its time is a straight line in the number of faces. Figures
// in bench/README.md, "Face index".
package faceindex

import (
	"cmp"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Dim is the length of an embedding.
const Dim = 128

// ErrDim is returned for an embedding that does not have Dim components or is all zeros.
var ErrDim = errors.New("faceindex: an embedding has 128 components, not all zero")

// Match is a stored face close to the query.
type Match struct {
	// Key is what the face was added with.
	Key string
	// Similarity is the cosine similarity with the query, from -1 to 1 (within about 0.01).
	Similarity float32
}

// Index is a set of faces. It is safe for concurrent use: searches share a read lock, Add and
// Remove take the write lock.
type Index struct {
	mu     sync.RWMutex
	codes  []int8    // Dim per face
	scales []float32 // one per face: the code times its scale is the unit embedding
	keys   []string
	pos    map[string]int
}

// New returns an empty index.
func New() *Index { return &Index{pos: map[string]int{}} }

// Len is the number of faces.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.keys)
}

// Add stores the face of key (replacing any face it had).
func (x *Index) Add(key string, embedding []float32) error {
	code, scale, err := quantise(embedding)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[key]; ok {
		copy(x.codes[i*Dim:], code[:])
		x.scales[i] = scale
		return nil
	}
	x.pos[key] = len(x.keys)
	x.keys = append(x.keys, key)
	x.scales = append(x.scales, scale)
	x.codes = append(x.codes, code[:]...)
	return nil
}

// Remove forgets the face of key, if any.
func (x *Index) Remove(key string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[key]
	if !ok {
		return
	}
	last := len(x.keys) - 1
	if i != last {
		x.keys[i], x.scales[i] = x.keys[last], x.scales[last]
		copy(x.codes[i*Dim:(i+1)*Dim], x.codes[last*Dim:])
		x.pos[x.keys[i]] = i
	}
	delete(x.pos, key)
	x.keys, x.scales, x.codes = x.keys[:last], x.scales[:last], x.codes[:last*Dim]
}

// Search returns every stored face whose similarity with embedding is at least least, most similar
// first, skipping the keys for which skip returns true (the applicant's own faces; skip may be nil).
func (x *Index) Search(embedding []float32, least float32, skip func(key string) bool) ([]Match, error) {
	q, qs, err := quantise(embedding)
	if err != nil {
		return nil, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.keys)
	workers := max(1, min(runtime.GOMAXPROCS(0), n/4096))
	parts := make([][]Match, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() {
			parts[w] = x.scan(&q, qs, least, lo, hi)
		})
	}
	wg.Wait()
	var out []Match
	for _, p := range parts {
		for _, m := range p {
			if skip == nil || !skip(m.Key) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b Match) int { return cmp.Compare(b.Similarity, a.Similarity) })
	return out, nil
}

// scan compares the query with faces lo to hi.
func (x *Index) scan(q *[Dim]int8, qs, least float32, lo, hi int) []Match {
	var out []Match
	for i := lo; i < hi; i++ {
		c := (*[Dim]int8)(x.codes[i*Dim : (i+1)*Dim])
		if sim := float32(dot(q, c)) * qs * x.scales[i]; sim >= least {
			out = append(out, Match{Key: x.keys[i], Similarity: sim})
		}
	}
	return out
}

// dot is the integer dot product of two codes, four sums at a time so that the additions do not
// wait on each other.
func dot(a, b *[Dim]int8) int32 {
	var s0, s1, s2, s3 int32
	for i := 0; i < Dim; i += 4 {
		s0 += int32(a[i]) * int32(b[i])
		s1 += int32(a[i+1]) * int32(b[i+1])
		s2 += int32(a[i+2]) * int32(b[i+2])
		s3 += int32(a[i+3]) * int32(b[i+3])
	}
	return s0 + s1 + s2 + s3
}

// quantise normalises v to unit length and writes it as int8 components scaled by its largest
// one: v ≈ code * scale.
func quantise(v []float32) (code [Dim]int8, scale float32, err error) {
	if len(v) != Dim {
		return code, 0, ErrDim
	}
	var norm, peak float64
	for _, c := range v {
		if math.IsNaN(float64(c)) || math.IsInf(float64(c), 0) {
			return code, 0, ErrDim
		}
		norm += float64(c) * float64(c)
		peak = math.Max(peak, math.Abs(float64(c)))
	}
	if norm == 0 {
		return code, 0, ErrDim
	}
	norm = math.Sqrt(norm)
	peak /= norm
	for i, c := range v {
		code[i] = int8(math.Round(float64(c) / norm / peak * 127))
	}
	return code, float32(peak / 127), nil
}
