package kyc

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// Id prefixes, one per resource kind. An id is the prefix, an underscore and 26 characters of
// Crockford base32 holding a 48-bit millisecond timestamp and 80 random bits, so ids sort by
// creation time and cursor pagination can page by id.
const (
	PrefixApplicant = "apl"
	PrefixFile      = "fil"
	PrefixDocument  = "doc"
	PrefixRequest   = "req"
	PrefixEvent     = "evt"
	PrefixWebhook   = "whk"
	PrefixShare     = "shr"
	PrefixAPIKey    = "key"
	PrefixAudit     = "aud"
	// PrefixLiveness names a liveness challenge of the hosted flow.
	PrefixLiveness = "liv"
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a new sortable id with the given prefix, such as "apl_01J9Z3K6Q5W8C2B7X4N0M1R2S3".
// Within one process, ids made in the same millisecond still sort in the order they were made (the
// random part of the previous id is incremented), so the events of one change keep their order.
func NewID(prefix string) string {
	return newIDAt(prefix, time.Now())
}

var monotonic struct {
	sync.Mutex
	ms   uint64
	last [10]byte
}

func newIDAt(prefix string, t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	monotonic.Lock()
	if ms == monotonic.ms && increment(&monotonic.last) {
		copy(b[6:], monotonic.last[:])
	} else {
		_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails (Go 1.24+)
		monotonic.ms = ms
		copy(monotonic.last[:], b[6:])
	}
	monotonic.Unlock()
	var out [26]byte
	// 128 bits as 26 base32 digits, most significant first (the top 2 bits of the first digit are 0).
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return prefix + "_" + string(out[:])
}

// increment adds one to a big-endian number; it reports false on overflow.
func increment(b *[10]byte) bool {
	for i := len(b) - 1; i >= 0; i-- {
		b[i]++
		if b[i] != 0 {
			return true
		}
	}
	return false
}

// ValidID reports whether id has the given prefix and the shape NewID produces. It is a cheap
// syntax check for ids read from paths and bodies, done before any query.
func ValidID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != 26 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if strings.IndexByte(crockford, rest[i]) < 0 {
			return false
		}
	}
	return true
}
