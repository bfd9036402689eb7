package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// NewsSend is a letter's dated update, or response, on its way to the
// signers who asked for news, or sent to them (see SendNews).
type NewsSend struct {
	ID        int64
	LetterID  int64
	UpdateID  int64
	CreatedAt time.Time
	// AfterID is the last signature the update was put in the outbox for:
	// signatures are walked in id order, and the next chunk starts after it.
	AfterID    int64
	Sent       int64 // emails put in the outbox so far
	NextAt     time.Time
	FinishedAt *time.Time
}

// TableName is the news sends' table.
func (NewsSend) TableName() string { return "news_sends" }

// NewsMail writes the email that carries update u to the signer sig, in l,
// the version of the letter they signed; unsubscribe is the token of their
// link that stops the news (see Unsubscribe).
type NewsMail func(l *Letter, u *LetterUpdate, sig *Signature, unsubscribe string) Message

// subscribed is the condition of the signatures news goes to: confirmed
// (listed, by name, anonymously or counted only) and asking for it.
// Written as the partial index signatures_news states it, so that both
// databases walk that index alone.
const subscribed = "news AND status = 'listed'"

// newsChunkMost bounds the emails one transaction of a send puts in the
// outbox: the single writer is held for a moment only, whatever the rate.
const newsChunkMost = 100

// newsBacklogChunks is how many chunks of news may wait unsent in the
// outbox before a send holds its next: when the relay takes mail slower
// than the rate, the news must not pile up ahead of signers' own links.
const newsBacklogChunks = 10

// newsPace is how many emails a chunk of a send at perMinute emails a
// minute holds, and how long after one chunk the next is due: about a
// second's worth at a time, so that the outbox sends evenly.
func newsPace(perMinute int) (chunk int, every time.Duration) {
	perMinute = max(perMinute, 1)
	chunk = min(max(perMinute/60, 1), newsChunkMost)
	return chunk, time.Duration(chunk) * time.Minute / time.Duration(perMinute)
}

// NewsSubscribers returns how many signers of a letter asked for news and
// would receive an update sent now.
func (s *Store) NewsSubscribers(ctx context.Context, letterID int64) (int64, error) {
	var n int64
	// "id > 0" makes SQLite count the entries of signatures_news, not
	// read every listed row of the letter through another index to find
	// them: 30 ms instead of 400 ms for 100,000 among 150,000.
	err := s.read.WithContext(ctx).Model(&Signature{}).Where("letter_id = ? AND "+subscribed+" AND id > 0", letterID).Count(&n).Error
	return n, err
}

// NewsSends returns the sends of a letter's updates, by update id.
func (s *Store) NewsSends(ctx context.Context, letterID int64) (map[int64]*NewsSend, error) {
	var rows []NewsSend
	err := s.read.WithContext(ctx).Where("letter_id = ?", letterID).Find(&rows).Error
	out := make(map[int64]*NewsSend, len(rows))
	for i := range rows {
		out[rows[i].UpdateID] = &rows[i]
	}
	return out, err
}

// SendNews asks for l's update updateID to be emailed to the signers who
// asked for news; SendNewsChunk sends it, a chunk at a time. An update is
// sent once: asking again changes nothing. It returns ErrNotFound for an
// update that is not l's. The caller has authorised access to l.
func (s *Store) SendNews(ctx context.Context, l *Letter, updateID int64) error {
	return s.privateTransaction(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&LetterUpdate{}).Where("id = ? AND letter_id = ?", updateID, l.ID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		now := s.now()
		send := NewsSend{LetterID: l.ID, UpdateID: updateID, CreatedAt: now, NextAt: now}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&send).Error
	})
}

// errNewsMoved says that a chunk was sent meanwhile by someone else: on
// PostgreSQL, another instance.
var errNewsMoved = errors.New("the news send moved on meanwhile")

// SendNewsChunk puts the next chunk of the oldest unfinished news send in
// the outbox, if it is due, at perMinute emails a minute (see newsPace),
// unless the relay is behind (see newsBacklogChunks), and returns how long until the next chunk is due; busy is false when no
// send is under way. Sends go one after the other, so that the rate holds
// for all of them together, as a mail relay's limit does.
//
// The chunk's signers are read and their emails written outside the
// write transaction, which then only moves the send's cursor past them
// and inserts their emails: the single writer is held for a moment, and
// signing goes on beside a send to a hundred thousand. The cursor moves
// in the transaction that enqueues, and only from where it was read: a
// restart goes on where the send stopped, and no signer is sent one
// update twice, even by two instances at once.
func (s *Store) SendNewsChunk(ctx context.Context, mail NewsMail, perMinute int) (wait time.Duration, busy bool, err error) {
	var send NewsSend
	err = s.read.WithContext(ctx).Where("finished_at IS NULL").Order("id").Take(&send).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("read the news sends: %w", err)
	}
	if wait := send.NextAt.Sub(s.now()); wait > 0 {
		return wait, true, nil
	}
	chunk, every := newsPace(perMinute)
	if full, err := s.newsBacklogFull(ctx, newsBacklogChunks*chunk); err != nil || full {
		return every, true, err
	}
	msgs, last, more, err := s.newsChunk(ctx, &send, mail, chunk)
	if err != nil {
		return 0, true, fmt.Errorf("news of update %d: %w", send.UpdateID, err)
	}
	err = s.privateTransaction(ctx, func(tx *gorm.DB) error {
		now := s.now()
		set := map[string]any{"after_id": last, "sent": gorm.Expr("sent + ?", len(msgs)), "next_at": now.Add(every)}
		if !more {
			set["finished_at"] = now
		}
		res := tx.Model(&NewsSend{}).Where("id = ? AND after_id = ?", send.ID, send.AfterID).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 { // sent meanwhile, or its update deleted
			return errNewsMoved
		}
		if len(msgs) == 0 {
			return nil
		}
		return tx.Create(&msgs).Error
	})
	switch {
	case errors.Is(err, errNewsMoved):
		return 0, true, nil
	case err != nil:
		return 0, true, fmt.Errorf("news of update %d: %w", send.UpdateID, err)
	}
	return every, true, nil
}

// newsBacklogFull reports whether most news emails, or more, wait unsent
// in the outbox (deferred ones included, not those given up, nor those a
// server without a relay printed on its console). It counts no further
// than most, through the outbox's index of unsent mail.
func (s *Store) newsBacklogFull(ctx context.Context, most int) (bool, error) {
	var n int64
	err := s.read.WithContext(ctx).Raw(`SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE sent_at IS NULL
		AND given_up_at IS NULL AND printed_at IS NULL AND list_unsubscribe <> '' LIMIT ?) AS waiting`, most).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("news waiting in the outbox: %w", err)
	}
	return n >= int64(most), nil
}

// newsChunk writes the emails of send's next chunk of at most n signers,
// and returns them with the id of the last signer and whether more follow.
func (s *Store) newsChunk(ctx context.Context, send *NewsSend, mail NewsMail, n int) (msgs []OutboxMessage, last int64, more bool, err error) {
	key, err := s.newsKey(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	db := s.read.WithContext(ctx)
	var l Letter
	if err := publishedTranslations(db).Take(&l, send.LetterID).Error; err != nil {
		return nil, 0, false, err
	}
	var u LetterUpdate
	if err := db.Take(&u, send.UpdateID).Error; err != nil {
		return nil, 0, false, err
	}
	var sigs []Signature
	err = db.Select("id", "lang", "email", "email_key").
		Where("letter_id = ? AND "+subscribed+" AND id > ? AND email <> ''", send.LetterID, send.AfterID).
		Order("id").Limit(n + 1).Find(&sigs).Error
	if err != nil {
		return nil, 0, false, err
	}
	last, more = send.AfterID, len(sigs) > n
	sigs = sigs[:min(len(sigs), n)]
	for i := range sigs {
		sig := &sigs[i]
		m := mail(l.versionOf(sig), &u, sig, newsToken(key, sig.ID, sig.EmailKey))
		msgs, last = append(msgs, s.outboxMessage(m)), sig.ID
	}
	return msgs, last, more, nil
}

// Unsubscribe stops the news of the signer whose unsubscribe link carries
// token, the news waiting in the outbox for them too, and returns the letter they signed, in the version they signed;
// already says their news had stopped before (a second click). It returns
// ErrNotFound for a token the site did not give, or whose signature has
// been withdrawn or erased since.
func (s *Store) Unsubscribe(ctx context.Context, token string) (l *Letter, already bool, err error) {
	key, err := s.newsKey(ctx)
	if err != nil {
		return nil, false, err
	}
	err = s.privateTransaction(ctx, func(tx *gorm.DB) error {
		sig, version, err := newsSignature(tx, key, token)
		if err != nil {
			return err
		}
		l = version
		already = !sig.News
		if already {
			return nil
		}
		if err := tx.Model(&Signature{}).Where("id = ?", sig.ID).Update("news", false).Error; err != nil {
			return err
		}
		return dropWaitingNews(tx, sig.Email, token) // RFC 8058: at once, not after what is queued
	})
	return l, already, err
}

// dropWaitingNews deletes, in tx, the news emails waiting in the outbox for
// one signer: those to recipient whose unsubscribe link carries token,
// their signature's (newsToken), so that a withdrawn or erased signer gets
// none, while the news of another letter they asked for still goes.
func dropWaitingNews(tx *gorm.DB, recipient, token string) error {
	// The token's "_" would match any character in LIKE: "!" escapes it.
	pattern := "%/" + strings.ReplaceAll(token, "_", "!_")
	// Only mail still to be tried: its index (outbox_due) is a few seconds'
	// worth, where the outbox keeps two weeks of sent mail.
	return tx.Where("recipient = ? AND sent_at IS NULL AND given_up_at IS NULL AND list_unsubscribe LIKE ? ESCAPE '!'", recipient, pattern).
		Delete(&OutboxMessage{}).Error
}

// dropWaitingNewsOf is dropWaitingNews for the signers of the letters
// letterIDs who asked for news, before their addresses are erased. It
// starts from the news waiting in the outbox, a few seconds' worth while
// the relay takes it, not from the signers, who may be a hundred thousand.
func dropWaitingNewsOf(tx *gorm.DB, key []byte, letterIDs []int64) error {
	var recipients []string
	err := tx.Model(&OutboxMessage{}).Distinct("recipient").
		Where("sent_at IS NULL AND given_up_at IS NULL AND list_unsubscribe <> ''").Pluck("recipient", &recipients).Error
	if err != nil {
		return err
	}
	// In chunks: a relay down for long leaves many waiting, beyond what
	// one statement may bind.
	for chunk := range slices.Chunk(recipients, 500) {
		keys := make([]string, len(chunk))
		for i, r := range chunk {
			keys[i] = SignerEmailKey(r)
		}
		var sigs []Signature
		if err := tx.Select("id", "email", "email_key").Where("letter_id IN ? AND email_key IN ? AND news", letterIDs, keys).Find(&sigs).Error; err != nil {
			return err
		}
		for _, sig := range sigs {
			if err := dropWaitingNews(tx, sig.Email, newsToken(key, sig.ID, sig.EmailKey)); err != nil {
				return err
			}
		}
	}
	return nil
}

// NewsSubscription returns the letter of the unsubscribe link token, as
// Unsubscribe does, and whether its signer still gets news; it changes
// nothing, since mail scanners open links too.
func (s *Store) NewsSubscription(ctx context.Context, token string) (*Letter, bool, error) {
	key, err := s.newsKey(ctx)
	if err != nil {
		return nil, false, err
	}
	sig, l, err := newsSignature(s.read.WithContext(ctx), key, token)
	if err != nil {
		return nil, false, err
	}
	return l, sig.News, nil
}

// newsSignature reads, in db, the signature an unsubscribe token names and
// its letter in the version signed, or returns ErrNotFound.
func newsSignature(db *gorm.DB, key []byte, token string) (*Signature, *Letter, error) {
	id, mac, ok := parseNewsToken(token)
	if !ok {
		return nil, nil, ErrNotFound
	}
	var sig Signature
	if err := db.Select("id", "letter_id", "lang", "email", "email_key", "news").Take(&sig, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	if !hmac.Equal(mac, newsMAC(key, sig.ID, sig.EmailKey)) {
		return nil, nil, ErrNotFound
	}
	var l Letter
	if err := publishedTranslations(db).Take(&l, sig.LetterID).Error; err != nil {
		return nil, nil, notFound(err)
	}
	return &sig, l.versionOf(&sig), nil
}

// newsToken is the token of the link that stops a signer's news: their
// signature's id and a MAC of it under key, so that it needs no column of
// its own, nor an index. The MAC covers the signature's email key too: on
// SQLite the id of a signature deleted last may be given again, and its
// old link must not stop a stranger's news.
func newsToken(key []byte, id int64, emailKey string) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(id))
	return base64.RawURLEncoding.EncodeToString(append(b, newsMAC(key, id, emailKey)...))
}

// parseNewsToken reads a newsToken back into its id and MAC.
func parseNewsToken(token string) (id int64, mac []byte, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 8+newsMACSize {
		return 0, nil, false
	}
	return int64(binary.BigEndian.Uint64(b)), b[8:], true
}

// newsMACSize is the bytes of a newsToken's MAC: 128 bits, beyond guessing.
const newsMACSize = 16

func newsMAC(key []byte, id int64, emailKey string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("news-unsubscribe\x00" + strconv.FormatInt(id, 10) + "\x00" + emailKey))
	return m.Sum(nil)[:newsMACSize]
}

// secretOnce keeps a key of Store.Secret once read.
type secretOnce struct {
	mu  sync.Mutex
	key []byte
}

// newsKey is the key of unsubscribe links, read from the database once.
// Read before any transaction: Secret writes, through the one writer.
func (s *Store) newsKey(ctx context.Context) ([]byte, error) {
	s.newsSecret.mu.Lock()
	defer s.newsSecret.mu.Unlock()
	if s.newsSecret.key == nil {
		key, err := s.Secret(ctx, "news-unsubscribe")
		if err != nil {
			return nil, fmt.Errorf("news key: %w", err)
		}
		s.newsSecret.key = key
	}
	return s.newsSecret.key, nil
}
