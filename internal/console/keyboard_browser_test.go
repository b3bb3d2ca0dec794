package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kycd/internal/kyc"
	"kycd/internal/people"
	"kycd/internal/store"
	"kycd/internal/store/storetest"
)

// TestConsoleByKeyboard: a reviewer does the day's core with the keyboard alone in Chromium: signs
// in (Tab between the fields, Enter to send), reaches the oldest case's Claim button with Tab and
// presses Enter, opens the case with Enter on its link, zooms its image from the keyboard, and
// accepts it. Every control on the way is reached by Tab, in the page's order.
func TestConsoleByKeyboard(t *testing.T) {
	st := storetest.New(t, store.SQLite)
	srv, ps, _ := browserEnvWith(t, st, browserOptions{})
	if _, err := ps.CreateUser(t.Context(), "cli:test", "kim@example.com", people.Reviewer, password); err != nil {
		t.Fatal(err)
	}
	doc := inReview(t, st, kyc.EnvLive)
	kim := openTab(t, newBrowser(t))

	// press sends one key; tabTo presses Tab until the focused element matches sel.
	press := func(what, key string) { kim.do(what, chromedp.KeyEvent(key)) }
	tabTo := func(sel string) {
		t.Helper()
		for range 80 {
			if eval[bool](kim, `document.activeElement !== null && document.activeElement.matches(`+jsString(sel)+`)`) {
				return
			}
			press("Tab", kb.Tab)
		}
		t.Fatalf("Tab never reached %s; focus is on %s", sel, eval[string](kim, `document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "nothing"`))
	}

	kim.do("open the console", chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	tabTo("#email")
	press("type the email", "kim@example.com")
	tabTo("#password")
	press("type the password", password)
	press("send the form", kb.Enter)
	kim.do("signed in", chromedp.WaitVisible(chromedp.CSS("table.queue")))

	tabTo(`table.queue button[name=action][value=claim]`)
	press("claim", kb.Enter)
	kim.do("claimed", chromedp.WaitVisible(chromedp.CSS(`table.queue button[name=action][value=release]`)))

	tabTo(`table.queue tbody a[href^="/console/cases/live/"]`)
	press("open the case", kb.Enter)
	kim.do("the case page", chromedp.WaitVisible(chromedp.CSS("figure.zoomable img")))
	if h := kim.text("section.case-head"); !strings.Contains(h, "held by you") {
		t.Fatalf("the case after claiming by keyboard: %q", h)
	}
	tabTo(`figure.zoomable button[data-act="zoom-in"]`)
	press("zoom in", kb.Enter)
	if z := eval[string](kim, `document.querySelector("figure.zoomable img").style.transform`); z != "scale(1.5) rotate(0deg)" {
		t.Fatalf("zoomed by keyboard, the image's transform is %q", z)
	}
	tabTo(`button[name=action][value=accept]`)
	press("accept", kb.Enter)
	kim.do("decided", chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if d, err := st.Document(t.Context(), kyc.EnvLive, doc.ID); err != nil || d.Status != "accepted" {
		t.Fatalf("the document after accepting by keyboard: %v %v", d.Status, err)
	}
	kim.clean("the end")
}
