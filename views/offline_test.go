package views

import "testing"

// The count of signatures gathered offline reads in each language's plural
// form of that count, after the letter's whole count in its own: "из них
// 1 собрана", "3 собраны", "120 собрано".
func TestOfflineCountTakesThePluralOfWhatWasGatheredOffline(t *testing.T) {
	for _, c := range []struct {
		lang, key string
		total, n  int
		want      string
	}{
		{"en", "offline.of_which.paper", 1034, 120, "1,034 signatures, of which 120 on paper"},
		{"en", "offline.of_which.several", 2, 1, "2 signatures, of which 1 gathered offline"},
		{"ru", "offline.of_which.several", 1034, 1, "1\u00a0034 подписи, из них 1 собрана вне сайта"},
		{"ru", "offline.of_which.several", 1034, 3, "1\u00a0034 подписи, из них 3 собраны вне сайта"},
		{"ru", "offline.of_which.several", 1034, 120, "1\u00a0034 подписи, из них 120 собрано вне сайта"},
		{"fr", "offline.of_which.several", 1034, 120, "1\u00a0034 signatures, dont 120 recueillies hors ligne"},
		{"ar", "offline.of_which.paper", 1034, 2, "1,034 توقيعًا، منها توقيعان على الورق"},
	} {
		got := Message(c.lang, c.key, "signatures", Message(c.lang, "list.count", "count", c.total), "count", c.n)
		if got != c.want {
			t.Errorf("%s %s (%d of %d): %q, want %q", c.lang, c.key, c.n, c.total, got, c.want)
		}
	}
}
