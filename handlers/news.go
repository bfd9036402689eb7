package handlers

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"undersigned/models"
	"undersigned/views"
)

// DefaultNewsRate is how many news emails a minute the outbox is given
// when Config.NewsRate is zero: ten a second, within what most mail
// relays take from one sender without deferring.
const DefaultNewsRate = 600

// newsIdle is how often the news job looks for a send when none is under
// way: a send asked here wakes it at once (wakeNews); one asked of another
// instance sharing a PostgreSQL database waits at most this long.
const newsIdle = time.Minute

// unsubscribePath is where the link that stops a signer's news leads.
func unsubscribePath(token string) string { return "/news/unsubscribe/" + token }

// RunNews sends the news coordinators asked to send, a chunk at a time at
// Config.NewsRate, until ctx ends. A send interrupted by a stop goes on
// where it stopped when the server starts again.
func (h *Handler) RunNews(ctx context.Context) {
	for {
		wait, err := h.SendNewsChunk(ctx)
		if err != nil && ctx.Err() == nil {
			h.log.Error("sending news", "err", err)
			wait = newsIdle
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-h.newsWake:
		case <-t.C:
		}
		t.Stop()
	}
}

// SendNewsChunk puts the next chunk of news due in the outbox, if one is,
// and returns how long until the next one should be looked for.
func (h *Handler) SendNewsChunk(ctx context.Context) (time.Duration, error) {
	wait, busy, err := h.store.SendNewsChunk(ctx, h.newsMail, h.cfg.NewsRate)
	if !busy {
		wait = newsIdle
	}
	return wait, err
}

// wakeNews tells the news job that a send was asked for.
func (h *Handler) wakeNews() {
	select {
	case h.newsWake <- struct{}{}:
	default: // awake already
	}
}

// newsMail writes the email that carries update u to the signer sig, in
// the language of l, the version they signed, with the one-click link
// that stops their news both in its body and as its List-Unsubscribe.
func (h *Handler) newsMail(l *models.Letter, u *models.LetterUpdate, sig *models.Signature, token string) models.Message {
	unsubscribe := h.absolute(unsubscribePath(token))
	e := views.ComposeNews(l.Lang, views.News{
		Title: l.Title, Date: u.PostedOn, Body: u.Body, Milestone: u.Milestone, Goal: u.Goal, From: u.ResponseFrom, Link: u.Link,
		LetterURL: h.absolute(letterPath(l)), UnsubscribeURL: unsubscribe,
	})
	m := addressed(sig.Email, e)
	m.ListUnsubscribe = unsubscribe
	return m
}

// sendNews asks for one of the letter's updates to be emailed to the
// signers who asked for news. Sending it again sends nothing more.
func (h *Handler) sendNews(c *fiber.Ctx, l *models.Letter) error {
	id, err := strconv.ParseInt(c.Params("update"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := h.store.SendNews(c.UserContext(), l, id); err != nil {
		return err
	}
	h.wakeNews()
	return c.Redirect(editorPath(l)+"#updates", fiber.StatusSeeOther)
}

// NewsSection is the editor's part on news: how many signers asked for
// it, never who, and what became of each update sent to them.
type NewsSection struct {
	Subscribers int64
	Sends       map[int64]*models.NewsSend // by update id
	Offered     bool                       // the public form offers news (models.Letter.OffersNews)
}

// newsSection reads the letter's NewsSection.
func (h *Handler) newsSection(ctx context.Context, l *models.Letter) (NewsSection, error) {
	n, err := h.store.NewsSubscribers(ctx, l.ID)
	if err != nil {
		return NewsSection{}, err
	}
	sends, err := h.store.NewsSends(ctx, l.ID)
	return NewsSection{Subscribers: n, Sends: sends, Offered: l.OffersNews()}, err
}

// UnsubscribeView is the page of the link that stops a signer's news.
type UnsubscribeView struct {
	Letter  LetterView
	Heading string
	Text    string
	Action  string // where its button posts, while the news goes on
}

// unsubscribePage opens the link that stops a signer's news: a button
// that stops it, since mail scanners open links too, or, if it is
// stopped, a page that says so.
func (h *Handler) unsubscribePage(c *fiber.Ctx) error {
	l, subscribed, err := h.store.NewsSubscription(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	v := UnsubscribeView{Letter: h.letterView(c, l), Heading: h.msg(c, "news.unsubscribed.already"), Text: h.msg(c, "news.unsubscribed.text")}
	if subscribed {
		v.Heading, v.Text, v.Action = h.msg(c, "news.unsubscribe.title"), h.msg(c, "news.unsubscribe.text"), unsubscribePath(c.Params("token"))
	}
	return h.renderUnsubscribe(c, v)
}

// unsubscribe stops a signer's news: from the page's button, or in one
// click from the mail program (RFC 8058, whose POST carries
// List-Unsubscribe=One-Click and no CSRF token: the link's token is the
// credential, and checkCSRF lets it through). A second time says that it
// was done already.
func (h *Handler) unsubscribe(c *fiber.Ctx) error {
	l, already, err := h.store.Unsubscribe(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	heading := h.msg(c, "news.unsubscribed.heading")
	if already {
		heading = h.msg(c, "news.unsubscribed.already")
	}
	return h.renderUnsubscribe(c, UnsubscribeView{Letter: h.letterView(c, l), Heading: heading, Text: h.msg(c, "news.unsubscribed.text")})
}

// renderUnsubscribe shows the page of an unsubscribe link, to its signer alone.
func (h *Handler) renderUnsubscribe(c *fiber.Ctx, v UnsubscribeView) error {
	return h.render(c, fiber.StatusOK, "unsubscribe", h.privatePage(c, v.Heading, v))
}
