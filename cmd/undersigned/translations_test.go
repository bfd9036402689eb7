package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestEmailsInTheVersionSignedBySMTP signs an English letter through its
// French translation, then has the coordinator change the substance of
// the translation: the confirmation and the request to agree to the new
// text reach the relay in French, naming the French title, and the
// request links the French text the signer signed.
func TestEmailsInTheVersionSignedBySMTP(t *testing.T) {
	const title, french, to = "Free the human rights defenders", "Libérez les défenseurs des droits humains", "vera@example.cz"
	mx := startSMTP(t, "", "")
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	start(t, db, addr, "-smtp-url", mx.url())
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(draft(title, "free"), nil)
	coord.Post(editor+"/settings", handlertest.Settings("confirm_email")).Expect(t, http.StatusSeeOther)
	coord.Get(editor + "/translations/fr")
	coord.Post(editor+"/translations/fr", url.Values{"title": {french}, "action": {"publish"}}).Expect(t, http.StatusSeeOther)

	signer := handlertest.OverServer(t, addr)
	signer.Get("/letters/free/fr")
	signer.Post("/letters/free/fr/sign", handlertest.SignForm("Věra Čáslavská", "CZ", to)).Expect(t, http.StatusSeeOther)
	confirmation := mx.received.next(t, to)
	checkFrench(t, confirmation, "Veuillez confirmer votre signature", french)
	signer.Confirm(linkPath(t, confirmation.link("/confirm/"))).Expect(t, http.StatusOK, "")

	revised := url.Values{"title": {french + " !"}, "action": {"publish"}}
	coord.Get(editor + "/translations/fr")
	coord.Post(editor+"/translations/fr", revised).Expect(t, http.StatusOK) // the page asking what kind of change it is
	revised.Set("action", "confirm")
	revised.Set("change", "substance")
	coord.Post(editor+"/translations/fr", revised).Expect(t, http.StatusSeeOther)

	asked := mx.reconfirmation(t, to)
	checkFrench(t, asked, "La lettre que vous avez signée a été modifiée", french+" !")
	if !strings.Contains(asked.Body, "/letters/free/fr/revisions/1") {
		t.Errorf("the request does not link the French text signed:\n%s", asked.Body)
	}
}
