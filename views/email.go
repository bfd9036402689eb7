package views

import (
	"time"
)

// Email is an email's text, in the language it is written in.
type Email struct {
	Lang, Subject, Body string
}

// ComposeEmail writes the email kind ("confirm", "signed", "again",
// "reconfirm": the catalogue's "mail.KIND.subject" and "mail.KIND.body") in
// the language lang, or the catalogue's nearest ("ar" for "ar-EG"), or else
// whole in the default language, so that an email is never half in one
// language; its Lang says which. params are the named parameters, name
// then value; a time.Time is written as a date in the email's language.
func ComposeEmail(lang, kind string, params ...any) Email {
	key := "mail." + kind + "."
	code := Negotiate(lang, DefaultLang)
	if _, ok := find(code).messages[key+"body"]; !ok {
		code = DefaultLang
	}
	args := make([]any, len(params))
	for i, p := range params {
		if t, ok := p.(time.Time); ok {
			p = FormatDate(code, t)
		}
		args[i] = p
	}
	return Email{Lang: code, Subject: Message(code, key+"subject", args...), Body: Message(code, key+"body", args...)}
}
