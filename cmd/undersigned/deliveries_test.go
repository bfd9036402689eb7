package main

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// TestDeliveryBySMTPCarriesThePacket delivers seed 003's letter with its
// PDF packet to its two addressees, through a real server and an SMTP
// relay: each addressee receives an email whose answers go to the
// coordinator, with the PDF attached, which pdftotext reads back to the
// letter's title and its signers; the coordinators' record then says each
// was sent.
func TestDeliveryBySMTPCarriesThePacket(t *testing.T) {
	pdftotext := needPdftotext(t)
	mx := startSMTP(t, "letters", "relay pass: wörd")
	db, addr := modeltest.DSN(t), freeAddr(t)
	newCoordinator(t, db)
	start(t, db, addr, "-smtp-url", mx.url(), "-mail-from", "letters@undersigned.example")
	coord := loggedIn(t, addr, coordEmail, coordPassword)
	editor := coord.OpenLetter(handlertest.LetterForm("save"), handlertest.Settings("listed"))
	signer := handlertest.OverServer(t, addr)
	letter := "/letters/joint-statement-on-the-human-rights-situation-in-azerbaijan"
	signer.Get(letter)
	signer.Post(letter+"/sign", handlertest.SignForm("Leyla Yunus", "AZ", "leyla@example.org")).Expect(t, http.StatusSeeOther)

	coord.Get(editor + "/addressees")
	coord.Post(editor+"/addressees", url.Values{"role_0": {"PACE"}, "email_0": {"pace@coe.example"}, "role_1": {"COP29"}, "email_1": {"cop29@unfccc.example"}}).
		Expect(t, http.StatusSeeOther)
	coord.Get(editor + "/deliveries")
	coord.Post(editor+"/deliveries", url.Values{"snapshot": {"now"}, "versions": {"en"}, "addressee": {"0", "1"}, "attach": {"pdf"},
		"message": {"Excellencies,\n\nplease find our joint statement attached."}}).Expect(t, http.StatusSeeOther)

	for _, to := range []string{"pace@coe.example", "cop29@unfccc.example"} {
		var e email
		waitFor(t, "the delivery to "+to, func() bool {
			for _, got := range mx.received.all() {
				if got.To == to {
					e = got
					return true
				}
			}
			return false
		})
		if e.Header.Get("Reply-To") != coordEmail {
			t.Errorf("the email to %s has Reply-To %q, want the coordinator's %s", to, e.Header.Get("Reply-To"), coordEmail)
		}
		text, pdf := readDelivery(t, e)
		if !strings.Contains(text, "please find our joint statement attached.") || !strings.Contains(text, letter+"/as-of/") {
			t.Errorf("the email to %s reads:\n%s", to, text)
		}
		file := filepath.Join(t.TempDir(), "packet.pdf")
		if err := os.WriteFile(file, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext on the packet to %s: %v", to, err)
		}
		for _, want := range []string{"Joint statement on the human rights situation in Azerbaijan", "Leyla Yunus"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("the packet to %s lacks %q:\n%s", to, want, out)
			}
		}
	}
	waitFor(t, "the record to say both emails were sent", func() bool {
		return strings.Count(coord.Get(editor+"/deliveries").Body, `<span class="tag">sent</span>`) == 2
	})
}

// readDelivery reads a delivery's email as a mail program does: its text
// and its one file, decoded from base64.
func readDelivery(t *testing.T, e email) (text string, file []byte) {
	t.Helper()
	media, params, err := mime.ParseMediaType(e.Header.Get("Content-Type"))
	if err != nil || media != "multipart/mixed" {
		t.Fatalf("Content-Type %q (%v), want multipart/mixed", e.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(strings.NewReader(e.Body), params["boundary"])
	for {
		p, err := parts.NextPart()
		if err == io.EOF {
			return text, file
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		if p.FileName() != "" {
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() != "" {
			file = data
		} else {
			text = string(data)
		}
	}
}
