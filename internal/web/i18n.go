package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"kycd/internal/kyc"
)

//go:embed messages/*.json
var messageFiles embed.FS

// Languages are the languages of the flow, in the switcher's order; the first is the fallback.
var Languages = []string{"en", "es", "zh"}

// catalog holds the texts of every language, read from messages/<lang>.json.
type catalog struct {
	texts   map[string]map[string]string
	matcher language.Matcher
	tags    []language.Tag
}

func loadCatalog() (*catalog, error) {
	c := &catalog{texts: map[string]map[string]string{}}
	for _, l := range Languages {
		b, err := messageFiles.ReadFile("messages/" + l + ".json")
		if err != nil {
			return nil, fmt.Errorf("messages %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("messages %s: %w", l, err)
		}
		c.texts[l] = m
		c.tags = append(c.tags, language.Make(l))
	}
	for _, l := range Languages[1:] {
		for k := range c.texts["en"] {
			if _, ok := c.texts[l][k]; !ok {
				return nil, fmt.Errorf("messages %s: %q is missing", l, k)
			}
		}
	}
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

// pick chooses the language: ?lang= (remembered in a cookie), then the cookie, then
// Accept-Language. It sets the cookie when ?lang= names a language.
func (c *catalog) pick(w http.ResponseWriter, r *http.Request, secure bool) string {
	if l := r.URL.Query().Get("lang"); c.texts[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: "kycd_lang", Value: l, Path: "/gather", MaxAge: 86400 * 30, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := r.Cookie("kycd_lang"); err == nil && c.texts[ck.Value] != nil {
		return ck.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := c.matcher.Match(tags...)
	return Languages[i]
}

// t returns the text of key in lang with {name} placeholders filled from args (name, value
// pairs); a missing key shows as the key, so it is noticed.
func (c *catalog) t(lang, key string, args ...any) string {
	s, ok := c.texts[lang][key]
	if !ok {
		if s, ok = c.texts["en"][key]; !ok {
			return key
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		v := fmt.Sprint(args[i+1])
		if n, ok := args[i+1].(int); ok {
			v = strconv.Itoa(n)
		}
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", v)
	}
	return s
}

// country is one option of a country list.
type country struct{ Code, Name string }

// countries lists every ISO 3166-1 country with its name in lang, sorted for that language.
func countries(lang string) []country {
	tag := language.Make(lang)
	names := display.Regions(tag)
	var out []country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			en := kyc.CountryName(code)
			if en == "" {
				continue
			}
			name := en
			if r, err := language.ParseRegion(code); err == nil {
				if n := names.Name(r); n != "" {
					name = n
				}
			}
			out = append(out, country{Code: code, Name: name})
		}
	}
	col := collate.New(tag)
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	return out
}
