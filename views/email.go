package views

import (
	"fmt"
	"strings"
	"time"
)

// Email is an email's text, in the language it is written in.
type Email struct {
	Lang, Subject, Body string
}

// ComposeEmail writes the email kind ("confirm", "signed", "again",
// "reconfirm": the catalogue's "mail.KIND.subject" and "mail.KIND.body") in
// lang, or in English where the catalogue has no such email in lang, so
// that an email is never half in one language; its Lang says which. params
// are the named parameters, name then value; a time.Time is written as a
// date in the email's language.
func ComposeEmail(lang, kind string, params ...any) Email {
	key := "mail." + kind + "."
	if _, ok := catalogue[lang][key+"body"]; !ok {
		lang = "en"
	}
	args := make([]string, 0, len(params))
	for i, p := range params {
		if t, ok := p.(time.Time); ok {
			p = FormatDate(lang, t)
		}
		if i%2 == 0 {
			p = "{" + fmt.Sprint(p) + "}"
		}
		args = append(args, fmt.Sprint(p))
	}
	fill := strings.NewReplacer(args...)
	return Email{Lang: lang, Subject: fill.Replace(Message(lang, key+"subject")), Body: fill.Replace(Message(lang, key+"body"))}
}
