package match

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// token is one word of a name: its folded form and how much it counts.
type token struct {
	fold   string // the folded form, canonical for the very common names
	plain  string // the folded letters without the canonical-name table, for typos of those names
	weight float32
}

// Weights of tokens.
const (
	strongWeight = 1.0
	weakWeight   = 0.15
)

// weakWords are honorifics, particles and company forms: they say little about who a name is.
var weakWords = toSet(`mr mrs ms miss dr doctor prof professor sir lord lady sheikh shaykh shaikh sheik haji hajji
	mullah mulla ltda cia sl slu sae saic eirl ca sal aps sro zrt kft doo ad ood eood pao ao ep jv private public joint stock closed maulana imam general gen colonel col major captain capt lieutenant
	al el ul bin ibn bint ben abu de del della der den di da das dos du la le van von y e and of the
	co company companies corp corporation inc incorporated ltd limited llc lllp llp lp plc sa sas sarl srl spa ag gmbh kg
	bv nv oy ab as asa jsc ojsc cjsc pjsc ooo zao oao tov pt bhd sdn pte pvt fze fzc fzco fzllc cv rl
	group holding holdings international intl trading enterprise enterprises industries industrial
	establishment est organization organisation foundation association services service`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Tokens normalises a name into the folded tokens the matcher compares; exported for tests and
// for callers that want to show how a name was read.
func Tokens(name string) []string {
	ts := tokenize(name)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.fold
	}
	return out
}

// tokenize turns a name into weighted, folded tokens.
func tokenize(name string) []token {
	words := splitWords(reorder(name))
	words = joinAbd(words)
	ts := make([]token, 0, len(words))
	for _, w := range words {
		if w == "" {
			continue
		}
		w = stripPrefixAl(w)
		f := fold(w)
		if f == "" {
			continue
		}
		t := token{fold: f, plain: foldLetters(w), weight: strongWeight}
		if weakWords[w] || weakWords[f] || len(f) == 1 {
			t.weight = weakWeight
		}
		ts = append(ts, t)
	}
	return ts
}

// reorder turns "LAST, First Middle" into "First Middle LAST". Only the first comma counts, and
// only when what follows it is not a company form ("ACME, INC.").
func reorder(name string) string {
	i := strings.IndexByte(name, ',')
	if i < 0 {
		return name
	}
	last, first := strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+1:])
	if first == "" {
		return last
	}
	fw := splitWords(first)
	if len(fw) > 0 && weakWords[fw[0]] && len(fw) <= 3 {
		return name
	}
	return first + " " + last
}

// splitWords lowers, removes accents and splits on anything that is not a letter or digit.
// Apostrophes vanish inside words (O'Brien, Ch'o'l).
func splitWords(s string) []string {
	s = norm.NFKD.String(s)
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == 'ʻ':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			switch r {
			case 'ß':
				b.WriteString("ss")
			case 'ø', 'Ø':
				b.WriteByte('o')
			case 'æ', 'Æ':
				b.WriteString("ae")
			case 'ł', 'Ł':
				b.WriteByte('l')
			case 'đ', 'Đ':
				b.WriteByte('d')
			case 'ı':
				b.WriteByte('i')
			default:
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			flush()
		}
	}
	flush()
	return words
}

// joinAbd joins the Arabic "servant of" compounds so that "Abd al Rahman", "Abd-al-Rahman",
// "Abdul Rahman" and "Abdulrahman" become one token.
func joinAbd(ws []string) []string {
	out := ws[:0:0]
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case (w == "abd" || w == "abdu") && i+2 < len(ws) && isArticle(ws[i+1]):
			out = append(out, "abd"+ws[i+2])
			i += 2
		case (w == "abd" || w == "abdu") && i+1 < len(ws):
			out = append(out, "abd"+ws[i+1])
			i++
		case (w == "abdul" || w == "abdel" || w == "abdal" || w == "abdol" || w == "abdur") && i+1 < len(ws):
			out = append(out, "abd"+ws[i+1])
			i++
		default:
			out = append(out, w)
		}
	}
	return out
}

func isArticle(w string) bool {
	switch w {
	case "al", "el", "ul", "ar", "ur", "as", "us", "ad", "an", "at", "az", "ash", "adh":
		return true
	}
	return false
}

// stripPrefixAl drops a glued Arabic article: "albaghdadi" reads as "baghdadi". Short words keep
// it, and so do words where a vowel or l follows (Ali, Alexander, Allen). Both the query and the
// list go through the same rule, so a name that happens to start with "al" still meets itself.
func stripPrefixAl(w string) string {
	if len(w) < 7 || (w[:2] != "al" && w[:2] != "el") {
		return w
	}
	switch w[2] {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'l':
		return w
	}
	return w[2:]
}
