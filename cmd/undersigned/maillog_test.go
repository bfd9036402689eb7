package main

import (
	"bytes"
	"log/slog"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"undersigned/models"
)

// TestRelayRefusalsLogNoAddress: relays name the recipient in their
// refusals ("550 5.1.1 <ana@example.org>: Recipient address rejected"), and
// the recipient is a signer, whose address must not reach the server's
// log. The reason stays, for the operator.
func TestRelayRefusalsLogNoAddress(t *testing.T) {
	var logged bytes.Buffer
	m := &mailer{log: slog.New(slog.NewTextHandler(&logged, nil)), retry: time.Second}
	msg := models.OutboxMessage{ID: 7, Recipient: "ana.ruiz+letters@example.org"}
	for _, code := range []int{550, 451} {
		m.outcome(msg, &textproto.Error{Code: code, Msg: "5.1.1 <ana.ruiz+letters@example.org>: Recipient address rejected"})
	}
	out := logged.String()
	for _, secret := range []string{"ana.ruiz", "example.org"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	if strings.Count(out, "Recipient address rejected") != 2 {
		t.Errorf("the log lacks the relay's reasons:\n%s", out)
	}
}
