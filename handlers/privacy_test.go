package handlers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models/modeltest"
)

// postFrom has c post a form as a client at the address ip would,
// behind the site's trusted proxy (0.0.0.0, app.Test's own address).
func postFrom(c *handlertest.Client, ip, path string, form url.Values) handlertest.Response {
	form.Set("_csrf", c.CSRF)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return c.Do(req)
}

// signFrom has c sign the seed letter as a client at the address ip would.
func signFrom(c *handlertest.Client, ip string, form url.Values) handlertest.Response {
	c.Get(seedSlug)
	f := handlertest.SignForm("", "", "")
	for k, v := range form {
		f[k] = v
	}
	f.Set("started", c.Started)
	return postFrom(c, ip, seedSlug+"/sign", f)
}

// TestNoClientAddressInTheDatabase signs from a known address, then reads
// every cell of every table of the SQLite file as someone holding a copy of
// it would: neither the address, nor its hash under any key the database
// holds, is there, and no key for hashing addresses is stored at all.
func TestNoClientAddressInTheDatabase(t *testing.T) {
	const ip = "203.0.113.77"
	store, path := modeltest.OpenSQLite(t)
	s := newSiteOn(t, store, handlers.Config{TrustedProxies: []string{"0.0.0.0"}})
	s.publishedLetter("coord@example.org", "Org")
	for i, display := range []string{"full", "anonymous", "counted"} {
		signFrom(s.client(), ip, url.Values{"name": {"Signer " + display}, "country": {"FR"},
			"email": {fmt.Sprintf("s%d@example.org", i)}, "display": {display}}).Expect(t, http.StatusSeeOther)
	}
	if s.signatures() != 3 {
		t.Fatalf("%d signatures stored, want 3", s.signatures())
	}

	db := modeltest.RawDB(t, path)
	secrets := map[string][]byte{}
	rows, err := db.Query("SELECT name, value FROM settings")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var value []byte
		if err := rows.Scan(&name, &value); err != nil {
			t.Fatal(err)
		}
		secrets[name] = value
	}
	rows.Close()
	if _, ok := secrets["ip"]; ok {
		t.Error(`the database keeps the key that hashes client addresses ("ip" in settings)`)
	}
	// What could stand for the address: itself, or its keyed hash under a
	// key in the database, in full or cut as the old code cut it.
	needles := map[string]string{ip: "the address"}
	for name, key := range secrets {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(ip))
		sum := hex.EncodeToString(m.Sum(nil))
		needles[sum[:32]] = "its hash under the key " + name
	}
	for table, cells := range allCells(t, db) {
		for _, cell := range cells {
			for needle, what := range needles {
				if strings.Contains(cell, needle) {
					t.Errorf("table %s holds %s: %q", table, what, handlertest.Excerpt(cell))
				}
			}
		}
	}
}

// allCells returns every cell of every table of a SQLite database, as text.
func allCells(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			cells := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range cells {
				ptrs[i] = &cells[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				if b, ok := c.([]byte); ok {
					c = string(b)
				}
				out[table] = append(out[table], fmt.Sprint(c))
			}
		}
		rows.Close()
	}
	return out
}

// TestCoordinatorsSeeNoNameOfAHiddenSigner holds the one rule for what
// coordinators see (models.Display.HidesName) on every surface of theirs:
// an anonymous and a counted-only signer appear in the review queue, the
// signatures page, its CSV and its audit log with their country and email
// but without their name, role or affiliation; and so do two signers who
// switch to those choices after coordinators acted on their signature,
// including in the log entries written before the switch.
func TestCoordinatorsSeeNoNameOfAHiddenSigner(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, path := s.openLetter("c@example.org", "Org", withSettings("confirm_email", "review_individuals"))
	links := map[string]string{}
	sign := func(name, affiliation, email, display string) {
		visitor := s.client()
		visitor.Get(seedSlug)
		f := handlertest.SignForm(name, "RU", email)
		f.Set("affiliation", affiliation)
		f.Set("role", "Role of "+name)
		f.Set("display", display)
		visitor.Post(seedSlug+"/sign", f).Expect(t, http.StatusSeeOther)
		links[name] = s.mailedLink(email, "/signature/")
		visitor.Confirm(s.mailedLink(email, "/confirm/")).Expect(t, http.StatusOK)
	}
	sign("Zarifa Hiddenova", "Bureau Alpha", "zarifa@example.org", "anonymous")
	sign("Boris Unlistov", "Institute Beta", "boris@example.org", "counted")
	sign("Sofia Switchova", "Group Gamma", "sofia@example.org", "full")
	sign("Ivan Turnov", "Group Delta", "ivan@example.org", "full")
	sign("Maria Openova", "Open Epsilon", "maria@example.org", "full")
	hidden := []string{"Zarifa", "Hiddenova", "Bureau Alpha", "Boris", "Unlistov", "Institute Beta"}
	switching := []string{"Sofia", "Switchova", "Group Gamma", "Ivan", "Turnov", "Group Delta"}

	queue := coord.Get(path+"/review").Expect(t, http.StatusOK, "Maria Openova", "Sofia Switchova", "zarifa@example.org", "boris@example.org").Body
	assertAbsent(t, map[string]string{"review queue": queue}, hidden...)
	var ids []string
	for _, id := range reviewIDs(queue) {
		ids = append(ids, id)
	}
	coord.Post(path+"/review", url.Values{"action": {"approve"}, "ids": ids}).Expect(t, http.StatusSeeOther)
	for _, name := range []string{"Sofia Switchova", "Ivan Turnov"} {
		id := signatureID(t, s, name)
		coord.Post(path+"/signatures/"+id+"/sort-name", url.Values{"sort_name": {name[strings.Index(name, " ")+1:]}}).Expect(t, http.StatusSeeOther)
	}
	before := coord.Get(path+"/signatures").Expect(t, http.StatusOK, "Maria Openova", "zarifa@example.org").Body
	log := before[strings.Index(before, "What was done"):]
	for _, want := range []string{"Sofia Switchova", "Ivan Turnov"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the audit log does not name %s before the switch: the test proves nothing", want)
		}
	}
	assertAbsent(t, map[string]string{"signatures page": before}, hidden...)

	for name, display := range map[string]string{"Sofia Switchova": "anonymous", "Ivan Turnov": "counted"} {
		visitor := s.client()
		visitor.Get(links[name])
		visitor.Post(links[name]+"/display", url.Values{"display": {display}}).Expect(t, http.StatusSeeOther)
	}
	surfaces := map[string]string{
		"review queue":    coord.Get(path+"/review").Expect(t, http.StatusOK).Body,
		"signatures page": coord.Get(path+"/signatures").Expect(t, http.StatusOK, "Maria Openova", "sofia@example.org", "ivan@example.org").Body,
		"CSV":             coord.Get(path+"/signatures.csv").Expect(t, http.StatusOK, "Maria Openova", "Open Epsilon", "zarifa@example.org", "boris@example.org").Body,
	}
	assertAbsent(t, surfaces, append(hidden, switching...)...)

	// The rule is stated where a signer chooses, and on the privacy page.
	s.client().Get(seedSlug).Expect(t, http.StatusOK, "coordinators see your email address and country whatever you choose")
	s.client().Get("/privacy").Expect(t, http.StatusOK, "they do not see your name, role or affiliation either")
}

// signatureID returns the id of the seed letter's signature by name.
func signatureID(t *testing.T, s *site, name string) string {
	t.Helper()
	sigs, _, err := s.store.CoordinatorSignatures(context.Background(), s.letter(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range sigs {
		if sig.Name == name {
			return strconv.FormatInt(sig.ID, 10)
		}
	}
	t.Fatalf("no signature by %s", name)
	return ""
}
