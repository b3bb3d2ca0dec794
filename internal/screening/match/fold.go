package match

import "strings"

// canonical maps spellings of very common names, whose variants differ too much for the letter
// rules, to one form.
var canonical = func() map[string]string {
	m := map[string]string{}
	for canon, vs := range map[string]string{
		"muhamad":   "mohammed muhammad mohamed mohammad muhammed mohamad muhamed mohd mouhamed muhamad mukhammad mukhamed mokhammad mohamud mahomed mehmet mehmed",
		"ahmad":     "ahmed ahmet akhmad akhmed achmed",
		"husein":    "hussein husain hussain husayn hossein hosein hussien houssein huseyn gusein",
		"hasan":     "hassan hasen hassen khasan hasan",
		"yusuf":     "yousef youssef yousuf yusef yosef jusuf yussuf yousif yusif",
		"usama":     "osama ousama usamah osamah",
		"umar":      "omar omer oumar",
		"uthman":    "othman osman usman osmane",
		"mahmud":    "mahmoud makhmud mahmood",
		"mustafa":   "mustapha moustafa mostafa mustafah",
		"abdalah":   "abdullah abdallah abdulla abdalla abdoulah abdulah",
		"ibrahim":   "ebrahim ibragim ibraheem brahim",
		"ismail":    "ismael ismayil ismoil",
		"yakub":     "yaqub yacoub yakoub jakub yaakov",
		"sulayman":  "suleiman sulaiman suleyman soliman sulejman suleman",
		"aleksandr": "alexander alexandre alejandro alessandro aleksander oleksandr oleksander sasha sashka",
		"sergei":    "sergey serhiy serhii sergiy sergej seryozha serezha",
		"yuri":      "yury yuriy iouri yurii jurij",
		"dmitri":    "dmitry dmitriy dmytro dimitri dimitry dima",
		"andrei":    "andrey andriy andrii andrej",
		"aleksei":   "alexei alexey aleksey oleksiy oleksii alyosha lyosha",
		"nikolai":   "nikolay mykola nicolai kolya",
		"evgeni":    "evgeny evgeniy yevgeny yevgeniy yevhen yevgeni zhenya",
		"mikhail":   "mykhailo mikhael misha",
		"vladimir":  "volodymyr wladimir volodya",
		"fedor":     "fyodor fiodor theodore",
		"petr":      "pyotr piotr",
		"ivan":      "iwan vanya",
		// Nicknames that stand for one given name only.
		"jose":      "pepe",
		"francisco": "pancho paco",
		"ignacio":   "nacho",
		"william":   "bill billy",
		"robert":    "bob bobby",
		"james":     "jim jimmy",
		"joseph":    "joe",
		"michael":   "mike",
		"manuel":    "manolo",
		"eduardo":   "lalo",
		"guillermo": "memo",
		"jesus":     "chucho",
		"rafael":    "rafa",
	} {
		c := foldLetters(canon) // so that a spelling the table lacks folds the same way
		for _, v := range strings.Fields(vs) {
			m[v] = c
		}
		m[canon] = c
	}
	return m
}()

// fold reduces a lower-case ASCII word to the form that its transliteration variants share.
func fold(w string) string {
	if c, ok := canonical[w]; ok {
		return c
	}
	return foldLetters(w)
}

// foldLetters applies the letter rules of fold, without the table of common names.
func foldLetters(w string) string {
	if strings.HasPrefix(w, "abd") && len(w) > 5 {
		w = foldAbd(w)
	}
	w = foldInitial(w)
	var b []byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c == 'k' && next == 'h', c == 'g' && next == 'h', c == 'd' && next == 'h', c == 't' && next == 'h':
			// kh/h, gh/g, dh/d, th/t
			if c != 'k' {
				b = append(b, c)
			} else {
				b = append(b, 'h')
			}
			i++
		case c == 'p' && next == 'h':
			b = append(b, 'f')
			i++
		case c == 'c' && next == 'k':
			b = append(b, 'k')
			i++
		case c == 'x':
			b = append(b, 'k', 's')
		case c == 'q' || (c == 'c' && next != 'h'):
			b = append(b, 'k')
		case c == 'w':
			b = append(b, 'v')
		case c == 'y' || c == 'j' && i > 0 && i == len(w)-1:
			b = append(b, 'i')
		case c == 'z':
			b = append(b, 's')
		case c == 'o' && next == 'u', c == 'o' && next == 'o':
			b = append(b, 'u')
			i++
		case c == 'e' && next == 'e':
			b = append(b, 'i')
			i++
		case c == 'c' && next == 'h' || c == 's' && next == 'h':
			b = append(b, c, 'h')
			i++
		default:
			b = append(b, c)
		}
	}
	// collapse doubled letters
	out := b[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	s := string(out)
	// Slavic surname endings: -off/-ov, -eff/-ev, and the feminine -ova/-eva, -ina.
	switch {
	case strings.HasSuffix(s, "of") && len(s) > 4:
		s = s[:len(s)-1] + "v"
	case strings.HasSuffix(s, "ef") && len(s) > 4:
		s = s[:len(s)-1] + "v"
	case strings.HasSuffix(s, "ova") && len(s) > 5, strings.HasSuffix(s, "eva") && len(s) > 5:
		s = s[:len(s)-1]
	}
	return s
}

// foldInitial folds the ways transliterations write a word's first sound: Dzh, Dj and Zh as J
// (Djabarin/Jabarin, Zhukov/Joukov), and Y before a vowel as J (Yusuf/Jusuf). Zh and Y fold in
// words of five letters or more only: the short Chinese and Korean syllables Jang and Yang are
// different names (they stay one edit apart).
func foldInitial(w string) string {
	switch {
	case strings.HasPrefix(w, "dzh") && len(w) > 4:
		w = "j" + w[3:]
	case strings.HasPrefix(w, "dj") && len(w) > 3, strings.HasPrefix(w, "zh") && len(w) >= 5:
		w = "j" + w[2:]
	}
	if len(w) >= 5 && w[0] == 'y' && strings.IndexByte("aeiou", w[1]) >= 0 {
		w = "j" + w[1:]
	}
	return w
}

// foldAbd reduces the joined "servant of" names to abd + the rest: Abdulrahman, Abdel Rahman,
// Abd al-Rahman and Abdurrahman all become abdrahman.
func foldAbd(w string) string {
	rest := w[3:]
	if len(rest) > 0 && strings.IndexByte("aeiou", rest[0]) >= 0 {
		rest = rest[1:]
	}
	switch {
	case strings.HasPrefix(rest, "l") && len(rest) > 3:
		rest = rest[1:]
	case len(rest) > 3 && rest[0] == rest[1]: // abdurrahman: assimilated article
		rest = rest[1:]
	}
	return "abd" + rest
}

// skeleton is a word's first letter and its consonants: the blocking key where vowels differ
// (Muhamad/Mohamed are already equal; Hasan/Hosen meet here).
func skeleton(f string) string {
	if len(f) < 3 {
		return ""
	}
	b := make([]byte, 0, len(f))
	b = append(b, f[0])
	for i := 1; i < len(f); i++ {
		switch f[i] {
		case 'a', 'e', 'i', 'o', 'u', 'h':
		default:
			b = append(b, f[i])
		}
	}
	if len(b) < 2 {
		return ""
	}
	return string(b)
}
