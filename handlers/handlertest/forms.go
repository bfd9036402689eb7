package handlertest

import (
	"net/url"

	"undersigned/models/modeltest"
)

// SignForm is the signing form of a person who signs with their name shown.
func SignForm(name, country, email string) url.Values {
	return url.Values{"kind": {"individual"}, "name": {name}, "country": {country}, "email": {email}, "display": {"full"}, "agree": {"true"}}
}

// OrgForm is the signing form of a person signing for their organisation.
func OrgForm(name, organisation, country, email string) url.Values {
	form := SignForm(name, country, email)
	form.Set("kind", "organisation")
	form.Set("affiliation", organisation)
	return form
}

// LetterForm is seed 003's letter as the editor's form sends it, with the
// button pressed (action): "save" or "publish".
func LetterForm(action string) url.Values {
	l := modeltest.Azerbaijan
	f := url.Values{
		"title": {l.Title}, "summary": {l.Summary}, "initiators": {l.Initiators}, "body": {l.Body},
		"addressees": {"Members of the Parliamentary Assembly of the Council of Europe\nDelegations to COP29"},
		"subject":    {"Political prisoners in Azerbaijan"}, "salutation": {"Excellencies,"},
		"closing": {"Sincerely,"}, "action": {action},
	}
	for _, g := range l.Groups {
		f.Add("group_lead_in", g.LeadIn)
		f.Add("group_demands", g.Demands)
	}
	return f
}

// Settings is a letter's settings form with the default values, in
// English, ticking only the checkboxes named in ticked (such as "listed",
// "confirm_email" or "allow_indexing"), as a browser sends it.
func Settings(ticked ...string) url.Values {
	f := url.Values{"lang": {"en"}, "signers": {"both"}, "list_order": {"alphabetical"}, "retention_days": {"180"}}
	for _, name := range ticked {
		f.Set(name, "true")
	}
	return f
}
