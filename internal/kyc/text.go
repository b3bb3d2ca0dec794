package kyc

import (
	"fmt"
	"unicode/utf8"
)

// TextKind says which characters a stored or filtered string may hold. Every string that kycd
// stores or filters by is checked against one of them, here and nowhere else: the strict JSON
// decoder applies Text to every string of a body, the HTTP layer applies Line to every query
// parameter, and the domains apply Line or Name to their single-line fields.
type TextKind int

const (
	// Text is free text that may span lines (notes, descriptions, an MRZ): valid UTF-8 with no
	// control character other than tab, line feed and carriage return. NUL is never accepted:
	// PostgreSQL cannot store it in text.
	Text TextKind = iota
	// Line is one line (ids, codes, references, query parameters): Text without tab, line feed
	// and carriage return, and without the C1 controls and DEL.
	Line
	// Name is a person's name or other personal text shown to a reviewer or a partner: Line without
	// the bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069),
	// which can make a name display as something else than what it is.
	Name
)

// BadRune reports the first character of s that kind does not allow, and its byte offset; ok is
// true when there is none. Invalid UTF-8 is reported as utf8.RuneError.
func BadRune(s string, kind TextKind) (r rune, offset int, ok bool) {
	for i, c := range s {
		if !allowed(c, kind) {
			return c, i, false
		}
		if c == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return c, i, false
			}
		}
	}
	return 0, 0, true
}

func allowed(c rune, kind TextKind) bool {
	switch {
	case c == '\t' || c == '\n' || c == '\r':
		return kind == Text
	case c < 0x20:
		return false
	case c == 0x7f || (c >= 0x80 && c <= 0x9f):
		return kind == Text
	case (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069):
		return kind != Name
	}
	return true
}

// TextProblem describes why s is refused as kind, or returns "" when it is accepted. The message
// names the character by code point, never the text around it, which may be personal data.
func TextProblem(s string, kind TextKind) string {
	r, _, ok := BadRune(s, kind)
	if ok {
		return ""
	}
	switch {
	case r == utf8.RuneError:
		return "is not valid UTF-8"
	case r == 0:
		return "must not contain NUL (U+0000)"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		return fmt.Sprintf("must not contain the bidirectional control U+%04X", r)
	}
	return fmt.Sprintf("must not contain the control character U+%04X", r)
}

// CheckText records a problem on field when s holds a character that kind does not allow.
func (p *Problems) CheckText(field, s string, kind TextKind) {
	if msg := TextProblem(s, kind); msg != "" {
		p.Add(field, "%s", msg)
	}
}
