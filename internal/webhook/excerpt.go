package webhook

import (
	"net"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxExcerpt is the most of a receiver's answer the delivery log keeps: enough for an error
// message, too little to carry a document.
const maxExcerpt = 256

// public reports whether the answer came from a public address, whose body the delivery log may
// keep an excerpt of. An unknown address is not public.
func (w *Worker) public(remote net.Addr) bool {
	if remote == nil {
		return false
	}
	ap, err := netip.ParseAddrPort(remote.String())
	if err != nil {
		return false
	}
	return !w.internal(ap.Addr().Unmap())
}

// excerpt is the start of an answer's body as the delivery log keeps it: at most maxExcerpt bytes
// of valid UTF-8, without a rune cut in two, with invalid bytes, control characters (but tab and
// newline) and bidi formatting characters dropped, so that the log shows text as it is, not as a
// receiver would like it shown. nil when nothing is left.
func excerpt(b []byte) []byte {
	b = b[:min(len(b), maxExcerpt)]
	var out strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(b) {
			break // a rune cut at the limit
		}
		b = b[size:]
		switch {
		case r == utf8.RuneError && size == 1:
		case r == '\t' || r == '\n':
			out.WriteRune(r)
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
		default:
			out.WriteRune(r)
		}
	}
	if out.Len() == 0 {
		return nil
	}
	return []byte(out.String())
}
