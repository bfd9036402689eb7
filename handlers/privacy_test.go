package handlers_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/models/modeltest"
)

// postFrom posts a form as the browser at the client address ip, behind
// the site's trusted proxy (0.0.0.0, app.Test's own address).
func (b *browser) postFrom(ip, path string, form url.Values) response {
	form.Set("_csrf", b.csrf)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return b.do(req)
}

// signFrom signs the seed letter as a browser at the client address ip.
func (b *browser) signFrom(ip string, form url.Values) response {
	b.get(seedSlug)
	f := signForm("", "", "")
	for k, v := range form {
		f[k] = v
	}
	f.Set("started", b.started)
	return b.postFrom(ip, seedSlug+"/sign", f)
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
		s.browser().signFrom(ip, url.Values{"name": {"Signer " + display}, "country": {"FR"},
			"email": {fmt.Sprintf("s%d@example.org", i)}, "display": {display}}).expect(t, http.StatusSeeOther)
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
					t.Errorf("table %s holds %s: %q", table, what, excerpt(cell))
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
