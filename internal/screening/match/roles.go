package match

import (
	"regexp"
	"strings"
)

// assignRoles gives the words of a name their parts. nFirst tokens came before the comma of a
// "LAST, First Middle" name (comma), the rest after it.
//
//   - A listed person written with a comma: the words before the comma are the surname, the
//     first word after it the given name, the others middle names or patronymics.
//   - A listed person without a comma: the first word is the given name, the last the surname,
//     those between middle names or patronymics.
//   - An entity: every word is core. A query: every word is core, except that a word that
//     looks like a patronymic is marked one (it costs little when the list leaves it out).
func assignRoles(ts []token, nFirst int, comma bool, k kind) {
	markPatronymics(ts)
	switch {
	case k == kindEntity:
		for i := range ts {
			if ts[i].role == rolePatronymic {
				ts[i].role = roleCore
			}
		}
	case k == kindQuery:
	case comma:
		given := false
		for i := range ts {
			switch {
			case ts[i].weak():
			case i >= nFirst:
				ts[i].role = roleSurname
			case !given:
				ts[i].role, given = roleGiven, true
			case ts[i].role != rolePatronymic:
				ts[i].role = roleMiddle
			}
		}
	default:
		var strong []int
		for i := range ts {
			if !ts[i].weak() {
				strong = append(strong, i)
			}
		}
		if len(strong) < 2 {
			for _, i := range strong {
				ts[i].role = roleCore
			}
			return
		}
		for n, i := range strong {
			switch {
			case n == 0:
				ts[i].role = roleGiven
			case n == len(strong)-1:
				ts[i].role = roleSurname
			case ts[i].role != rolePatronymic:
				ts[i].role = roleMiddle
			}
		}
	}
}

// markPatronymics marks the words that are patronymics: by their ending (Russian -ovich, -evich,
// -ovna, -evna, -ich, -ichna; Turkic -ogli, -kizi) or after bin, ibn, bint, ben or ould, unless
// that word is the name's last strong word (Osama bin Laden: Laden is the family name).
func markPatronymics(ts []token) {
	last := -1
	for i := range ts {
		if !ts[i].weak() {
			last = i
		}
	}
	for i := range ts {
		t := &ts[i]
		if t.weak() {
			continue
		}
		if patronymicEnding(t.fold) {
			t.role = rolePatronymic
			continue
		}
		if i > 0 && i != last && sonOf[ts[i-1].fold] {
			t.role = rolePatronymic
		}
	}
}

var sonOf = toSet(`bin ibn bint binti ben ould`)

func patronymicEnding(f string) bool {
	for _, e := range []string{"ovich", "evich", "ovna", "evna", "ichna", "ogli", "oglu", "kisi"} {
		if strings.HasSuffix(f, e) && len(f) > len(e)+2 {
			return true
		}
	}
	return strings.HasSuffix(f, "ich") && len(f) >= 6
}

// familyClass is the class of an East Slavic family-name or patronymic ending of a folded word
// ("" when none): Pavlov, Pavlova and Pavloff are "ov"; Pavlenko "enko"; Nikolaevna "ovna".
// Two words whose endings are of different classes are different names, however alike their
// stems (Pavlov/Pavlenko, Nikolaeva/Nikolaevna).
func familyClass(f string) string {
	for _, c := range [][2]string{
		{"ovich", "ovich"}, {"evich", "ovich"}, {"ovna", "ovna"}, {"evna", "ovna"}, {"enko", "enko"},
		{"skaia", "ski"}, {"skii", "ski"}, {"ski", "ski"}, {"chuk", "uk"}, {"uk", "uk"},
		{"ov", "ov"}, {"ev", "ov"}, {"ina", "in"}, {"in", "in"},
	} {
		if strings.HasSuffix(f, c[0]) && len(f) >= len(c[0])+3 {
			return c[1]
		}
	}
	return ""
}

// initialsRE finds dotted initials and legal forms: S.A., C.V., L.L.C., E.K., U.S.A.
var initialsRE = regexp.MustCompile(`\b\pL\.(?:\pL\.)+(?:\pL\b)?`)

// joinInitials writes dotted single letters as one word: "S.A. DE C.V." becomes "SA DE CV", so
// that the letters do not count as initials of a name. It returns the joined words, lower case.
func joinInitials(s string) (string, []string) {
	if !strings.Contains(s, ".") {
		return s, nil
	}
	var joined []string
	s = initialsRE.ReplaceAllStringFunc(s, func(m string) string {
		w := strings.ReplaceAll(m, ".", "")
		joined = append(joined, strings.ToLower(w))
		return w
	})
	return s, joined
}
