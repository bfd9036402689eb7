package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
)

// Logins are throttled, never locked: after some failed attempts, each
// further attempt must wait a delay that doubles with every failure, up to
// a longest delay, and an attempt made too early is answered 429 without
// its password being checked. Failures count per client address and per
// account. The account's count holds back only browsers that have not
// logged in to it before: a coordinator's usual browser carries a signed
// "known device" cookie, so a stranger hammering the account slows down
// himself, not the coordinator. The client's own count applies to every
// browser behind its address.
const (
	knownDeviceCookie = "known_device"
	knownDeviceLife   = 180 * 24 * time.Hour
	// throttleMemory is how long failed logins are remembered after the last one.
	throttleMemory = 24 * time.Hour
)

// loginThrottle keeps the failed logins of accounts and clients.
type loginThrottle struct {
	storage     fiber.Storage
	accountFree int           // failures of an account before delays begin
	clientFree  int           // the same for a client address
	longest     time.Duration // the longest delay
	deviceKey   []byte        // signs known-device cookies
	mu          sync.Mutex    // makes a count's read and write one step in this process
	now         func() time.Time
}

// setupThrottle builds the login throttle from the login limit: Max failures
// per account (three times as many per client) before delays begin, and
// Window the longest delay. deviceKey signs known-device cookies.
func (h *Handler) setupThrottle(deviceKey []byte) {
	l := h.cfg.Limits
	h.throttle = &loginThrottle{storage: l.Storage, accountFree: l.Login.Max, clientFree: 3 * l.Login.Max,
		longest: l.Login.Window, deviceKey: deviceKey, now: time.Now}
}

// failures is what the throttle remembers of an account or a client.
type failures struct {
	count int
	next  time.Time // no attempt before
}

func (f failures) encode() []byte {
	return []byte(strconv.Itoa(f.count) + ":" + strconv.FormatInt(f.next.UnixMilli(), 10))
}

func decodeFailures(b []byte) failures {
	count, next, _ := strings.Cut(string(b), ":")
	n, _ := strconv.Atoi(count)
	ms, _ := strconv.ParseInt(next, 10, 64)
	return failures{count: n, next: time.UnixMilli(ms)}
}

// accountKey is the storage key of an account's failures: a hash, so that
// the storage holds no email address, and of bounded length whatever was typed.
func accountKey(email string) string {
	sum := sha256.Sum256([]byte(models.EmailKey(email)))
	return "login-account:" + hex.EncodeToString(sum[:16])
}

// loginWait returns how long the client must wait before trying email's
// password, or 0 when it may try now.
func (h *Handler) loginWait(c *fiber.Ctx, email string) (time.Duration, error) {
	t := h.throttle
	now := t.now()
	client, err := t.get("login-client:" + h.ipHash(c))
	if err != nil {
		return 0, err
	}
	wait := client.next.Sub(now)
	if !h.knownDevice(c, email) {
		account, err := t.get(accountKey(email))
		if err != nil {
			return 0, err
		}
		wait = max(wait, account.next.Sub(now))
	}
	return max(wait, 0), nil
}

// loginFailed counts a wrong password against the client and the account.
func (h *Handler) loginFailed(c *fiber.Ctx, email string) error {
	t := h.throttle
	if err := t.fail("login-client:"+h.ipHash(c), t.clientFree); err != nil {
		return err
	}
	return t.fail(accountKey(email), t.accountFree)
}

func (t *loginThrottle) get(key string) (failures, error) {
	b, err := t.storage.Get(key)
	if err != nil {
		return failures{}, fmt.Errorf("login throttle: %w", err)
	}
	return decodeFailures(b), nil
}

// fail counts one more failure under key; past free failures, the next
// attempt waits a second, then two, four… up to the longest delay.
func (t *loginThrottle) fail(key string, free int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, err := t.get(key)
	if err != nil {
		return err
	}
	f.count++
	f.next = t.now()
	if over := f.count - free; over >= 0 {
		delay := t.longest
		if over < 30 && time.Second<<over < t.longest {
			delay = time.Second << over
		}
		f.next = f.next.Add(delay)
	}
	if err := t.storage.Set(key, f.encode(), throttleMemory); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	return nil
}

// deviceMAC signs a known-device cookie: this browser logged in to the
// account of email, and the cookie is good until expires.
func (h *Handler) deviceMAC(email string, expires int64) string {
	m := hmac.New(sha256.New, h.throttle.deviceKey)
	fmt.Fprintf(m, "%s\x00%d", models.EmailKey(email), expires)
	return hex.EncodeToString(m.Sum(nil))
}

// rememberDevice marks the browser as a usual one of the account of email,
// after it logged in with the right password.
func (h *Handler) rememberDevice(c *fiber.Ctx, email string) {
	expires := h.throttle.now().Add(knownDeviceLife)
	value := strconv.FormatInt(expires.Unix(), 10) + "." + h.deviceMAC(email, expires.Unix())
	c.Cookie(&fiber.Cookie{
		Name: knownDeviceCookie, Value: value, Path: "/login", Expires: expires,
		HTTPOnly: true, Secure: h.secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// knownDevice says whether the browser logged in to the account of email before.
func (h *Handler) knownDevice(c *fiber.Ctx, email string) bool {
	expires, mac, ok := strings.Cut(c.Cookies(knownDeviceCookie), ".")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if !ok || err != nil || h.throttle.now().Unix() > exp {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(h.deviceMAC(email, exp)))
}
