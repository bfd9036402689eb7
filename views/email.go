package views

import (
	"time"
)

// Email is an email's text, in the language it is written in.
type Email struct {
	Lang, Subject, Body string
}

// EmailKind is one of the emails the site sends: the catalogue's keys of
// its subject and its body, which are kept together in each language's
// file.
type EmailKind struct{ subject, body string }

// The emails the site sends.
var (
	// ConfirmEmail asks a signer to confirm their signature.
	ConfirmEmail = EmailKind{"mail.confirm.subject", "mail.confirm.body"}
	// SignedEmail gives a signer their private link.
	SignedEmail = EmailKind{"mail.signed.subject", "mail.signed.body"}
	// AgainEmail tells an address's owner that it signed already.
	AgainEmail = EmailKind{"mail.again.subject", "mail.again.body"}
	// ReconfirmEmail asks a signer to agree to a revised text.
	ReconfirmEmail = EmailKind{"mail.reconfirm.subject", "mail.reconfirm.body"}
	// InviteEmail invites a partner's contact to sign a letter for the partner.
	InviteEmail = EmailKind{"invite.mail.subject", "invite.mail.body"}
	// InviteReminderEmail reminds them, with a new link.
	InviteReminderEmail = EmailKind{"invite.reminder.subject", "invite.reminder.body"}
	// CoInitiationEmail invites a coordinator of another organisation to
	// co-initiate a letter.
	CoInitiationEmail = EmailKind{"coinit.mail_subject", "coinit.mail_body"}
)

// ComposeEmail writes the email kind in the language lang, or the
// catalogue's nearest ("ar" for "ar-EG"), or else whole in the default
// language, so that an email is never half in one language; its Lang says
// which. params are the named parameters, name then value; a time.Time is
// written as a date in the email's language.
func ComposeEmail(lang string, kind EmailKind, params ...any) Email {
	code := emailLang(lang, kind)
	args := make([]any, len(params))
	for i, p := range params {
		if t, ok := p.(time.Time); ok {
			p = FormatDate(code, t)
		}
		args[i] = p
	}
	return Email{Lang: code, Subject: Message(code, kind.subject, args...), Body: Message(code, kind.body, args...)}
}

// emailLang is the language ComposeEmail writes the email kind in when
// asked for lang.
func emailLang(lang string, kind EmailKind) string {
	if code := Negotiate(lang, DefaultLang); find(code).has(kind.subject, kind.body) {
		return code
	}
	return DefaultLang
}

// has reports whether the language's own file holds every one of keys.
func (l *lang) has(keys ...string) bool {
	for _, key := range keys {
		if _, ok := l.messages[key]; !ok {
			return false
		}
	}
	return true
}
