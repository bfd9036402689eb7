package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
	editor := coord.publishLetter(title, "free")
	coord.saveSettings(editor, "confirm_email")
	coord.get(editor + "/translations/fr")
	coord.mustPost(editor+"/translations/fr", url.Values{"title": {french}, "action": {"publish"}}, http.StatusSeeOther)

	signer := newClient(t, addr)
	signer.get("/letters/free/fr")
	signer.mustPost("/letters/free/fr/sign", signForm("Věra Čáslavská", "CZ", to), http.StatusSeeOther)
	confirmation := mx.received.next(t, to)
	checkFrench(t, confirmation, "Veuillez confirmer votre signature", french)
	signer.confirm(linkPath(t, confirmation.link("/confirm/")), http.StatusOK, "")

	revised := url.Values{"title": {french + " !"}, "action": {"publish"}}
	coord.get(editor + "/translations/fr")
	if status, _, err := coord.post(editor+"/translations/fr", revised); err != nil || status != http.StatusOK {
		t.Fatalf("saving the revised translation: %d %v; want the page asking what kind of change it is", status, err)
	}
	revised.Set("action", "confirm")
	revised.Set("change", "substance")
	coord.mustPost(editor+"/translations/fr", revised, http.StatusSeeOther)

	asked := mx.reconfirmation(t, to)
	checkFrench(t, asked, "La lettre que vous avez signée a été modifiée", french+" !")
	if !strings.Contains(asked.Body, "/letters/free/fr/revisions/1") {
		t.Errorf("the request does not link the French text signed:\n%s", asked.Body)
	}
}
