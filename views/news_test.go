package views

import (
	"strings"
	"testing"
	"time"
)

// A news email is whole in each language: the update, or the goal it
// reached in the email's words, who responded for a response, the
// letter's link and the link that stops the news, and nothing left in
// braces.
func TestNewsEmailsComposedWhole(t *testing.T) {
	on := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	base := News{Title: "Free them all", Date: on, LetterURL: "https://x.test/letters/l/fr", UnsubscribeURL: "https://x.test/news/unsubscribe/t"}
	update, response, milestone := base, base, base
	update.Body = "Two prisoners were released."
	response.Body, response.From, response.Link = "We take note.", "The Ministry", "https://ministry.example/answer"
	milestone.Milestone, milestone.Goal = "signatures", 1000
	for _, lang := range Languages {
		for name, tt := range map[string]struct {
			n    News
			want []string
		}{
			"update":    {update, []string{"Two prisoners were released."}},
			"response":  {response, []string{"We take note.", "The Ministry", "https://ministry.example/answer"}},
			"milestone": {milestone, []string{Message(lang, "goal.reached.signatures", "count", 1000)}},
		} {
			e := ComposeNews(lang, tt.n)
			text := e.Subject + "\n" + e.Body
			if e.Lang != lang || strings.ContainsAny(text, "{}") || !strings.Contains(e.Subject, "Free them all") {
				t.Errorf("%s in %s is not whole (%s):\n%s", name, lang, e.Lang, text)
			}
			for _, want := range append(tt.want, FormatDate(lang, on), base.LetterURL, base.UnsubscribeURL) {
				if !strings.Contains(e.Body, want) {
					t.Errorf("%s in %s lacks %q:\n%s", name, lang, want, e.Body)
				}
			}
		}
	}
}
