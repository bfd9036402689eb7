package views

import "time"

// The emails that carry a letter's news to the signers who asked for it.
var (
	// NewsEmail carries a dated update.
	NewsEmail = EmailKind{"news.mail.subject", "news.mail.body"}
	// NewsResponseEmail carries a response to the letter.
	NewsResponseEmail = EmailKind{"news.response.subject", "news.response.body"}
)

// News is a letter's update as its email to a signer tells it.
type News struct {
	Title string    // the letter's, in the version signed
	Date  time.Time // the update's
	// Body is the update's text as written; Milestone and Goal, for a
	// goal reached, are worded in the email's language instead.
	Body      string
	Milestone string
	Goal      int64
	// From names who responded, for a response; Link is where it reads.
	From, Link string
	// LetterURL and UnsubscribeURL are the absolute addresses of the
	// letter, in the version signed, and of the link that stops the news.
	LetterURL, UnsubscribeURL string
}

// ComposeNews writes the email that carries n to a signer, in lang or, as
// ComposeEmail does, the catalogue's nearest language.
func ComposeNews(lang string, n News) Email {
	kind := NewsEmail
	if n.From != "" {
		kind = NewsResponseEmail
	}
	text := n.Body
	if n.Milestone != "" {
		text = Message(emailLang(lang, kind), "goal.reached."+n.Milestone, "count", n.Goal)
	}
	if n.Link != "" {
		text += "\n\n" + n.Link
	}
	return ComposeEmail(lang, kind, "title", n.Title, "date", n.Date, "from", n.From, "update", text,
		"letter_url", n.LetterURL, "unsubscribe_url", n.UnsubscribeURL)
}
