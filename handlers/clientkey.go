package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// clientKeys hold the key of the day that client addresses are hashed with
// for rate limits. The key is never stored: it is random and held in this
// process's memory, or derived from a secret the operator gives every
// instance (so that instances sharing a database count together), and it
// changes at midnight UTC, when the day's key is dropped. A copy of the
// database therefore names no client's address.
type clientKeys struct {
	secret []byte // Config.ClientKey; nil: random keys

	mu  sync.Mutex
	day string
	key []byte
}

// today returns the key of now's UTC day, making it at the first call of the day.
func (k *clientKeys) today(now time.Time) []byte {
	day := now.UTC().Format(time.DateOnly)
	k.mu.Lock()
	defer k.mu.Unlock()
	if day != k.day {
		k.day, k.key = day, k.derive(day)
	}
	return k.key
}

func (k *clientKeys) derive(day string) []byte {
	if len(k.secret) == 0 {
		return randomKey()
	}
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("client-key:" + day))
	return m.Sum(nil)
}

func randomKey() []byte {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return key
}

// ipHash is the keyed hash that stands for the client's IP address in rate
// limits. Its key changes every day and is kept in memory only, so the
// hash cannot be turned back into an address from the database.
func (h *Handler) ipHash(c *fiber.Ctx) string {
	m := hmac.New(sha256.New, h.clientKeys.today(time.Now()))
	m.Write([]byte(clientNetwork(h.clientIP(c))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// clientIP is the client's address: the connection's, or, when that is a
// trusted proxy's, the last address in X-Forwarded-For that is not one of
// them. Proxies append the address they see to the header; whatever comes
// before it is what the client sent, and the client can send anything.
// A header that names no address leaves the proxy's own.
func (h *Handler) clientIP(c *fiber.Ctx) netip.Addr {
	ip, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	ip = ip.Unmap()
	forwarded := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(forwarded) - 1; i >= 0 && h.trustedProxy(ip); i-- {
		next, err := netip.ParseAddr(strings.TrimSpace(forwarded[i]))
		if err != nil {
			break
		}
		ip = next.Unmap()
	}
	return ip
}

// trustedProxy reports whether ip is one of Config.TrustedProxies.
func (h *Handler) trustedProxy(ip netip.Addr) bool {
	return slices.ContainsFunc(h.proxies, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// clientNetwork is what counts as one client of ip: the address itself,
// but for IPv6 its /64 network, which one home or phone is given whole.
func clientNetwork(ip netip.Addr) string {
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}

// parseProxies reads Config.TrustedProxies: addresses, or networks such as
// 10.0.0.0/8.
func parseProxies(proxies []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range proxies {
		p = strings.TrimSpace(p)
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			ip, ipErr := netip.ParseAddr(p)
			if ipErr != nil {
				return nil, fmt.Errorf("trusted proxy %q: want an IP address or a network such as 10.0.0.0/8", p)
			}
			prefix = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		out = append(out, prefix.Masked())
	}
	return out, nil
}
