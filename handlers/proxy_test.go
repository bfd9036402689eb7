package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"undersigned/handlers"
)

// TestClientsCannotChooseTheirAddress: limits count per client address,
// and a client must not be able to pass for many. Behind a reverse proxy
// that appends the address it sees to X-Forwarded-For (nginx's
// $proxy_add_x_forwarded_for does), the entries before it are whatever the
// client sent; and a home with IPv6 holds a whole /64 network, billions of
// addresses. Each of these clients signing again and again is refused
// after its burst, as one client.
func TestClientsCannotChooseTheirAddress(t *testing.T) {
	const burst = 3
	s := newSite(t, handlers.Config{TrustedProxies: []string{"0.0.0.0", "192.0.2.0/24"},
		Limits: handlers.Limits{SignBurst: handlers.RateLimit{Max: burst, Window: time.Minute}}})
	s.publishedLetter("c@example.org", "Org")
	for name, address := range map[string]func(i int) string{
		"a made-up X-Forwarded-For":   func(i int) string { return fmt.Sprintf("10.1.2.%d, 198.51.100.7", i) },
		"through two proxies":         func(i int) string { return fmt.Sprintf("10.9.9.%d,203.0.113.9, 192.0.2.44", i) },
		"addresses of one /64":        func(i int) string { return fmt.Sprintf("2001:db8:5:7::%x", i+1) },
		"another spelling of the /64": func(i int) string { return fmt.Sprintf("2001:DB8:0005:0008:%x::1", i) },
	} {
		for i := range burst + 2 {
			email := fmt.Sprintf("signer%d@%d.example.org", i, len(name))
			r := signFrom(s.client(), address(i), url.Values{"name": {"Signer"}, "country": {"FR"}, "email": {email}})
			want := http.StatusSeeOther
			if i >= burst {
				want = http.StatusTooManyRequests
			}
			if r.Status != want {
				t.Errorf("%s: signature %d from %q answered %d, want %d", name, i+1, address(i), r.Status, want)
			}
		}
	}
}
