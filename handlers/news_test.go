package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/views"
)

// newsFrom returns the news emails in the outbox, by recipient.
func (s *site) newsFrom() map[string][]models.OutboxMessage {
	s.t.Helper()
	all, err := s.store.DueMessages(context.Background(), 10000)
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string][]models.OutboxMessage{}
	for _, m := range all {
		if m.ListUnsubscribe != "" {
			out[m.Recipient] = append(out[m.Recipient], m)
		}
	}
	return out
}

// sendNews runs the news job until no send is under way.
func (s *site) sendNews() {
	s.t.Helper()
	for range 100 {
		sends, err := s.store.NewsSends(context.Background(), s.letter().ID)
		if err != nil {
			s.t.Fatal(err)
		}
		busy := false
		for _, send := range sends {
			busy = busy || send.FinishedAt == nil
		}
		if !busy {
			return
		}
		if _, err := s.h.SendNewsChunk(context.Background()); err != nil {
			s.t.Fatal(err)
		}
	}
	s.t.Fatal("the news send does not finish")
}

// signWithNews signs the seed letter at path (its original, or a
// version), ticking "Email me news" when news is set, and confirms by the
// emailed link when the letter asks for it.
func (s *site) signWithNews(path, name, email string, news bool) {
	s.t.Helper()
	signer := s.client()
	signer.Get(path).Expect(s.t, http.StatusOK)
	form := handlertest.SignForm(name, "CZ", email)
	if news {
		form.Set("news", "1")
	}
	signer.Post(path+"/sign", form).Expect(s.t, http.StatusSeeOther)
	if s.letter().ConfirmEmail {
		signer.Confirm(s.mailedLink(email, "/confirm/"))
	}
}

// newsLetter publishes seed 003's letter as one that offers news: it
// confirms its signers' addresses by email.
func (s *site) newsLetter() (*handlertest.Client, string) {
	s.t.Helper()
	return s.openLetter("c@example.org", "ICDR", withSettings("confirm_email"))
}

// TestNewsOnlyToAProvenAddress: the box is offered only where the address
// will be proven, by the emailed confirmation link; on a letter that lists
// at once, nobody can ask news to be emailed to someone else's address,
// even by posting the field the form does not show.
func TestNewsOnlyToAProvenAddress(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings url.Values
		offered  bool
	}{
		{"confirms emails", withSettings("confirm_email"), true},
		{"lists at once", listAtOnce(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, handlers.Config{})
			coord, editor := s.openLetter("c@example.org", "ICDR", tc.settings)
			page := s.client().Get(seedSlug).Expect(t, http.StatusOK, "Sign this letter")
			if got := strings.Contains(page.Body, `name="news"`); got != tc.offered {
				t.Errorf("the form offers news: %v, want %v", got, tc.offered)
			}
			s.signWithNews(seedSlug, "Leyla Yunus", "someone.else@example.org", true)
			want := map[bool]string{true: "1 signer asked for news", false: "0 signers asked for news"}[tc.offered]
			page = coord.Get(editor).Expect(t, http.StatusOK, want)
			const why = "The signing form offers news only on a letter that confirms its signers’ addresses by email"
			if got := strings.Contains(page.Body, why); got == tc.offered {
				t.Errorf("the editor explains why no news is offered: %v, want %v", got, !tc.offered)
			}
		})
	}
}

// TestNewsToSignersWhoAsked: the box is on the form, unticked, naming the
// initiators; the coordinator sees how many ticked it, never who, and
// sends an update to them: each gets it once, in the language of the
// version they signed, with a one-click unsubscribe link in the body and
// as its List-Unsubscribe; the editor then says it was sent, and to how
// many.
func TestNewsToSignersWhoAsked(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.newsLetter()
	publishTranslation(t, coord, editor, "fr", seedFrench)
	s.client().Get(seedSlug).Expect(t, http.StatusOK,
		"Email me news about this letter from ICDR, International Coalition for Democratic Renewal (ICDR) and Forum 2000 Foundation").
		ExpectMarkup(t, `<input type="checkbox" id="f-news" name="news" value="1" aria-describedby="f-news-hint">`)
	refused := s.client()
	refused.Get(seedSlug)
	form := handlertest.SignForm("", "CZ", "refused@example.org")
	form.Set("news", "1")
	// A refused form keeps the choice.
	refused.Post(seedSlug+"/sign", form).Expect(t, http.StatusUnprocessableEntity).
		ExpectMarkup(t, `name="news" value="1" aria-describedby="f-news-hint" checked>`)

	s.signWithNews(seedSlug, "Leyla Yunus", "leyla@example.org", true)
	s.signWithNews(seedSlug+"/fr", "Nicolas Tenzer", "nicolas@example.org", true)
	s.signWithNews(seedSlug, "Jakub Klepal", "jakub@example.org", false)
	// Confirming is consenting: the email that asks it says so to those who asked for news.
	for to, asked := range map[string]bool{"leyla@example.org": true, "nicolas@example.org": true, "jakub@example.org": false} {
		confirmation := s.inbox(to)[0]
		if says := strings.Contains(confirmation.Body, views.Message(confirmation.Lang, "news.mail.confirm_note")); says != asked {
			t.Errorf("the confirmation to %s, in %s, says they asked for news: %v, want %v", to, confirmation.Lang, says, asked)
		}
	}

	page := coord.Get(editor).Expect(t, http.StatusOK, "2 signers asked for news")
	for _, address := range []string{"leyla@example.org", "nicolas@example.org"} {
		if strings.Contains(page.Body, address) {
			t.Errorf("the editor shows %s, a signer who asked for news", address)
		}
	}
	if csv := coord.Get(editor+"/signatures.csv").Expect(t, http.StatusOK); strings.Contains(strings.ToLower(csv.Body), "news") {
		t.Errorf("the coordinators' export says who asked for news:\n%s", csv.Body)
	}
	coord.Post(editor+"/updates", url.Values{"update_on": {"2024-11-20"}, "update_body": {"Two of the prisoners were released."}}).Expect(t, http.StatusSeeOther)
	send := sendFormOf(t, coord.Get(editor).Expect(t, http.StatusOK, "Email this to the 2 signers who asked").Body)

	s.client().PostRaw(send, "").Expect(t, http.StatusForbidden) // no CSRF token
	other := s.coordinator("other@example.org", "Other")
	other.Get("/dashboard")
	other.Post(send, url.Values{}).Expect(t, http.StatusNotFound)
	for range 2 { // a second click sends nothing more
		coord.Post(send, url.Values{}).Expect(t, http.StatusSeeOther)
		s.sendNews()
	}

	news := s.newsFrom()
	if len(news) != 2 || len(news["leyla@example.org"]) != 1 || len(news["nicolas@example.org"]) != 1 {
		t.Fatalf("news went to %v, want one email each to leyla@ and nicolas@", news)
	}
	for to, lang := range map[string]string{"leyla@example.org": "en", "nicolas@example.org": "fr"} {
		m := news[to][0]
		if !strings.HasPrefix(m.ListUnsubscribe, handlertest.AppBase+"/news/unsubscribe/") || !strings.Contains(m.Body, m.ListUnsubscribe) {
			t.Errorf("news to %s: List-Unsubscribe %q, not in its body:\n%s", to, m.ListUnsubscribe, m.Body)
		}
		if want := views.Message(lang, "news.mail.subject", "title", map[string]string{"en": s.letter().Title, "fr": seedFrench.Title}[lang]); m.Subject != want || m.Lang != lang {
			t.Errorf("news to %s: %q in %q, want %q in %s", to, m.Subject, m.Lang, want, lang)
		}
		if !strings.Contains(m.Body, "Two of the prisoners were released.") {
			t.Errorf("news to %s does not carry the update:\n%s", to, m.Body)
		}
	}
	coord.Get(editor).Expect(t, http.StatusOK, "Sent to 2 on "+views.FormatDate("en", time.Now().UTC()))
}

// sendButton finds the address of the first update's button that sends it
// to the signers who asked.
var sendButton = regexp.MustCompile(`action="(/dashboard/letters/\d+/updates/\d+/send)"`)

func sendFormOf(t *testing.T, page string) string {
	t.Helper()
	m := sendButton.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no button sends an update to the signers who asked:\n%s", handlertest.Excerpt(page))
	}
	return m[1]
}

// TestUnsubscribeInOneClick: the link in a news email opens a page with a
// button; a mail program's one-click POST (RFC 8058), without cookie or
// CSRF token, unsubscribes; a second says it was done; a made-up link is
// not found; and the coordinator's count goes down.
func TestUnsubscribeInOneClick(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, editor := s.newsLetter()
	s.signWithNews(seedSlug, "Leyla Yunus", "leyla@example.org", true)
	s.signWithNews(seedSlug, "Arif Yunus", "arif@example.org", true)
	coord.Post(editor+"/updates", url.Values{"update_on": {"2024-11-20"}, "update_body": {"Delivered."}}).Expect(t, http.StatusSeeOther)
	coord.Post(sendFormOf(t, coord.Get(editor).Body), url.Values{}).Expect(t, http.StatusSeeOther)
	s.sendNews()
	link := strings.TrimPrefix(s.newsFrom()["leyla@example.org"][0].ListUnsubscribe, handlertest.AppBase)

	s.client().Get(link).Expect(t, http.StatusOK, "Stop the news of this letter", "Email me no more news").
		ExpectMarkup(t, `<form method="post" action="`+link+`">`)
	mailProgram := s.client()
	mailProgram.PostRaw(link, "List-Unsubscribe=One-Click").Expect(t, http.StatusOK, "You are unsubscribed")
	mailProgram.PostRaw(link, "List-Unsubscribe=One-Click").Expect(t, http.StatusOK, "You are already unsubscribed")
	s.client().Get(link).Expect(t, http.StatusOK, "You are already unsubscribed")
	coord.Get(editor).Expect(t, http.StatusOK, "1 signer asked for news")

	madeUp := link[:len(link)-2] + "AA"
	s.client().Get(madeUp).Expect(t, http.StatusNotFound)
	mailProgram.PostRaw(madeUp, "List-Unsubscribe=One-Click").Expect(t, http.StatusNotFound)
}

// TestInvitedSignerMayAskForNews: the invitation's form has the box too,
// unticked, even on a letter that lists at once: its link went to the
// contact's address, which the news goes to; not to another address typed
// instead, which nothing proved.
func TestInvitedSignerMayAskForNews(t *testing.T) {
	cp := newCampaign(t, handlers.Config{})
	cp.coordinator.Post(cp.editor+"/settings", listAtOnce()).Expect(t, http.StatusSeeOther)
	for i, tc := range []struct{ contact, typed, want string }{
		{"anar@cnis.example", "anar@cnis.example", "1 signer asked for news"},
		{"leyla@ipd.example", "someone.else@example.org", "1 signer asked for news"},
	} {
		id := cp.partner(fmt.Sprintf("Partner %d", i), "AZ", "Anar Mammadli", tc.contact)
		link := cp.invite([]string{id}, tc.contact)[0]
		partner := cp.client()
		partner.Get(link).Expect(t, http.StatusOK, "Email me news about this letter from International Coalition for Democratic Renewal (ICDR)").
			ExpectMarkup(t, `<input type="checkbox" id="f-news" name="news" value="1" aria-describedby="f-news-hint">`)
		form := invitedForm("Anar Mammadli", tc.typed)
		form.Set("news", "1")
		partner.Post(link, form).Expect(t, http.StatusSeeOther)
		cp.coordinator.Get(cp.editor).Expect(t, http.StatusOK, tc.want)
	}
}
