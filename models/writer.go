package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// ErrNotSaved answers every signature of a batch whose commit failed:
// nothing of the batch was written, and sending the form again is safe.
var ErrNotSaved = errors.New("the signature was not saved: the batch it was in failed and was rolled back")

// errStoreClosed answers a signature that reaches a store being closed.
var errStoreClosed = errors.New("the store is closed")

// maxSignBatch bounds the signatures one commit takes, so that a crowd of
// signers cannot make a single transaction, and the wait of its first
// signer, grow without end.
const maxSignBatch = 256

// signRequest is one signature, or one confirmation of a signature,
// waiting for the writer.
type signRequest struct {
	signed *Signed // the new signature; a confirmation's signature once confirmed
	mail   ConfirmationMail
	// confirm, when set, makes the request a confirmation link followed.
	confirm *confirmation
	done    chan error // buffered: the writer never waits for the signer
}

// confirmation is the token of a confirmation link and, once the writer
// answered, the letter and where the signature went.
type confirmation struct {
	token  string
	letter Letter
	status SignatureStatus
}

// signatureWriter is the single goroutine that writes signatures, with
// group commit: it takes every signature waiting when it begins a
// transaction, writes them all, and commits once. A durable commit
// (synchronous=FULL) costs a disk flush, which a crowd of signers then
// shares instead of queueing for one each; and the letter's counters and
// counts are updated once per batch, not once per signature.
type signatureWriter struct {
	queue    chan *signRequest
	closing  chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
}

// startSignatureWriter starts s's signature writer; Close stops it.
func (s *Store) startSignatureWriter() {
	s.signatures = &signatureWriter{
		queue: make(chan *signRequest, maxSignBatch), closing: make(chan struct{}), stopped: make(chan struct{}),
	}
	go s.writeSignatures()
}

// submit hands req to the writer and waits for the commit of its batch.
// A caller whose ctx ends while the batch commits gets ctx's error, and the
// signature may still be stored, as if the answer had been lost on the way.
// A request that reaches a writer stopped meanwhile gets errStoreClosed.
func (w *signatureWriter) submit(ctx context.Context, req *signRequest) error {
	select {
	case w.queue <- req:
	case <-w.closing:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stopped:
		// The writer answered what it took before it stopped; a request
		// queued after its last look at the queue has no one to answer it.
		select {
		case err := <-req.done:
			return err
		default:
			return errStoreClosed
		}
	}
}

// stop makes the writer finish the batch in hand, answer what waits with
// errStoreClosed, and return.
func (w *signatureWriter) stop() {
	w.stopOnce.Do(func() { close(w.closing) })
	<-w.stopped
}

func (s *Store) writeSignatures() {
	w := s.signatures
	defer close(w.stopped)
	for {
		select {
		case first := <-w.queue:
			s.commitSignatures(first)
		case <-w.closing:
			for {
				select {
				case req := <-w.queue:
					req.done <- errStoreClosed
				default:
					return
				}
			}
		}
	}
}

// commitSignatures writes first and the signatures that wait behind it in
// one transaction. Each request is answered after the commit: with nil, with
// the rule its own signature broke (that signature alone is left out), or
// with ErrNotSaved when the transaction failed as a whole.
func (s *Store) commitSignatures(first *signRequest) {
	batch := []*signRequest{first}
	var answers []error
	listed := false
	err := s.writeBatch(func(tx *gorm.DB) error {
		// The signatures that arrived while the transaction waited for the
		// write lock join it.
	collect:
		for len(batch) < maxSignBatch {
			select {
			case req := <-s.signatures.queue:
				batch = append(batch, req)
			default:
				break collect
			}
		}
		var err error
		if answers, listed, err = s.applyBatch(tx, batch); err != nil || !listed {
			return err
		}
		return s.tellOthers(tx)
	})
	if err != nil {
		err = fmt.Errorf("%w (a batch of %d signatures): %w", ErrNotSaved, len(batch), err)
		for _, req := range batch {
			req.done <- err
		}
		return
	}
	if listed {
		s.changedHere()
	}
	for i, req := range batch {
		req.done <- answers[i]
	}
}

// applyBatch writes a batch in tx: its confirmations, its new signatures,
// and the change they make to each letter's counters and counts. It returns each
// request's answer (see commitSignatures) and whether a public list
// changed; an error fails the whole batch.
func (s *Store) applyBatch(tx *gorm.DB, batch []*signRequest) (answers []error, listed bool, err error) {
	answers = make([]error, len(batch))
	letters := map[int64]*Letter{}
	var signing []int
	for i, req := range batch {
		if req.confirm == nil {
			signing = append(signing, i)
		} else if answers[i], err = s.confirmInBatch(tx, req, letters); err != nil {
			return nil, false, err
		}
	}
	if err := s.insertSignatures(tx, batch, signing, answers, letters); err != nil {
		return nil, false, err
	}
	var t tally
	for i, req := range batch {
		if answers[i] == nil {
			t.add(req.signed.Signature, 1)
		}
	}
	if listed, err = s.writeTally(tx, &t); err != nil {
		return nil, false, err
	}
	return answers, listed, nil
}

// insertColumns are the columns a new signature sets, in the order of
// insertValues.
const insertColumns = "letter_id, kind, status, display, name, affiliation, role, country, country2, email, email_key, " +
	"sort_name, sort_key, confirm_token_hash, confirm_expires_at, manage_token_hash, created_at, revision, lang, news"

func insertValues(sig *Signature) []any {
	return []any{sig.LetterID, sig.Kind, sig.Status, sig.Display, sig.Name, sig.Affiliation, sig.Role, sig.Country, sig.Country2,
		sig.Email, sig.EmailKey, sig.SortName, sig.SortKey, sig.ConfirmTokenHash, sig.ConfirmExpiresAt, sig.ManageTokenHash,
		sig.CreatedAt, sig.Revision, sig.Lang, sig.News}
}

// signatureKey is what the one-signature-per-email rule compares.
type signatureKey struct {
	letterID int64
	emailKey string
}

// insertSignatures writes the signatures of batch[i] for each i of signing,
// and their confirmation emails, in tx, with one statement for all the
// signatures and one for all the emails. It answers each request: nil when
// its signature was written, or the rule it broke (letter closed, kind not
// taken, email already signed, in the database or earlier in the batch),
// which writes nothing of it; the owner of an address signed in the
// database is emailed their links again (remindOwner). An error it returns
// fails the whole batch.
func (s *Store) insertSignatures(tx *gorm.DB, batch []*signRequest, signing []int, answers []error, letters map[int64]*Letter) error {
	pending := map[signatureKey]int{} // the request that inserts each key
	var placeholders []string
	var values []any
	for _, i := range signing {
		req := batch[i]
		sig := req.signed.Signature
		l, err := s.batchLetter(tx, letters, sig.LetterID)
		if err != nil {
			return err
		}
		if answers[i] = acceptSignature(l, req.signed); answers[i] != nil {
			continue
		}
		key := signatureKey{sig.LetterID, sig.EmailKey}
		if _, ok := pending[key]; ok {
			answers[i] = ErrAlreadySigned
			continue
		}
		pending[key] = i
		row := insertValues(sig)
		placeholders = append(placeholders, "(?"+strings.Repeat(", ?", len(row)-1)+")")
		values = append(values, row...)
	}
	if len(pending) == 0 {
		return nil
	}
	// A key already signed is a row not inserted, not an error: an error
	// would abort the whole transaction on PostgreSQL.
	rows, err := tx.Raw("INSERT INTO signatures ("+insertColumns+") VALUES "+strings.Join(placeholders, ", ")+
		" ON CONFLICT (letter_id, email_key) DO NOTHING RETURNING id, letter_id, email_key", values...).Rows()
	if err != nil {
		return fmt.Errorf("insert signatures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key signatureKey
		if err := rows.Scan(&id, &key.letterID, &key.emailKey); err != nil {
			return fmt.Errorf("insert signatures: %w", err)
		}
		batch[pending[key]].signed.Signature.ID = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert signatures: %w", err)
	}
	var mail []OutboxMessage
	for key, i := range pending {
		req := batch[i]
		if req.signed.Signature.ID == 0 {
			answers[i] = ErrAlreadySigned
			m, err := s.remindOwner(tx, letters[key.letterID], key, req.mail)
			if err != nil {
				return fmt.Errorf("remind the signer: %w", err)
			}
			if m != nil {
				mail = append(mail, *m)
			}
		} else if req.mail != nil {
			mail = append(mail, s.outboxMessage(req.mail(letters[key.letterID], req.signed)))
		}
	}
	if err := insertOutbox(tx, mail); err != nil {
		return fmt.Errorf("enqueue confirmations: %w", err)
	}
	return nil
}

// insertOutbox puts a batch's emails in the outbox with one statement:
// every new signature has one, and GORM's reflection over a batch of them
// took a fifth of the single writer's time.
func insertOutbox(tx *gorm.DB, mail []OutboxMessage) error {
	if len(mail) == 0 {
		return nil
	}
	placeholders := make([]string, len(mail))
	values := make([]any, 0, 6*len(mail))
	for i, m := range mail {
		placeholders[i] = "(?, ?, ?, ?, ?, ?)"
		values = append(values, m.Recipient, m.Lang, m.Subject, m.Body, m.CreatedAt, m.NextAttemptAt)
	}
	return tx.Exec("INSERT INTO outbox (recipient, lang, subject, body, created_at, next_attempt_at) VALUES "+
		strings.Join(placeholders, ", "), values...).Error
}

// remindOwner renews, in tx, the links of the signature that holds key,
// and returns the email that gives its owner the new ones, for the batch's
// outbox; or nil if they were emailed less than ReminderInterval ago.
// Someone signed again with their address, and was answered as if the
// signature were new. l is the letter signed, read with the batch.
//
// Repeats come with a crowd, and the writer is one goroutine: the row is
// read whole only when an email goes, and the letter and the outbox are
// the batch's, not read and written again for each repeat.
func (s *Store) remindOwner(tx *gorm.DB, l *Letter, key signatureKey, mail ConfirmationMail) (*OutboxMessage, error) {
	var id int64
	var reminded sql.NullTime
	err := tx.Raw("SELECT id, reminded_at FROM signatures WHERE letter_id = ? AND email_key = ?", key.letterID, key.emailKey).
		Row().Scan(&id, &reminded)
	if err != nil {
		return nil, err
	}
	if mail == nil || (reminded.Valid && s.now().Sub(reminded.Time) < ReminderInterval) {
		// No email, but a write all the same: a batch that writes nothing
		// commits without a flush to disk, and the time the answer takes
		// would tell that the address had signed.
		return nil, tx.Exec("UPDATE signatures SET reminded_at = reminded_at WHERE id = ?", id).Error
	}
	var sig Signature
	if err := tx.Take(&sig, id).Error; err != nil {
		return nil, err
	}
	signed, err := s.renewLinks(tx, &sig)
	if err != nil {
		return nil, err
	}
	m := s.outboxMessage(mail(l.versionOf(&sig), signed)) // the version signed, as the first email
	return &m, nil
}

// confirmInBatch confirms the signature of a confirmation request in tx: it
// goes onto the list, or to review unless the address just proved
// verifies it (verifyByDomain). The answer is nil, or the rule the link
// broke (unknown, used before, expired, letter closed since), which changes
// nothing; an error fails the whole batch.
func (s *Store) confirmInBatch(tx *gorm.DB, req *signRequest, letters map[int64]*Letter) (answer, err error) {
	var sig Signature
	err = tx.Where("confirm_token_hash = ?", TokenHash(req.confirm.token)).Take(&sig).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound, nil
	} else if err != nil {
		return nil, fmt.Errorf("read signature: %w", err)
	}
	l, err := s.batchLetter(tx, letters, sig.LetterID)
	if err != nil || l == nil {
		return ErrNotFound, err
	}
	req.confirm.letter = *l
	now := s.now()
	if err := confirmable(&sig, l, now); err != nil {
		return err, nil
	}
	sig.Status, sig.ConfirmedAt = l.statusAfterConfirmation(sig.Kind), &now
	if err := s.verifyByDomain(tx, l, &sig); err != nil {
		return nil, fmt.Errorf("verify signature: %w", err)
	}
	if err := tx.Model(&sig).Select("status", "confirmed_at", "verified", "verified_at").Updates(&sig).Error; err != nil {
		return nil, fmt.Errorf("confirm signature: %w", err)
	}
	req.confirm.status = sig.Status
	req.signed = &Signed{Signature: &sig} // counted with the batch's signatures
	return nil, nil
}

// batchLetter reads a letter once per batch; nil is an answer, not
// a failure of the batch.
func (s *Store) batchLetter(tx *gorm.DB, letters map[int64]*Letter, id int64) (*Letter, error) {
	if l, ok := letters[id]; ok {
		return l, nil
	}
	l := &Letter{}
	// With its published translations: a repeat's reminder is in the
	// version the signature was made on (remindOwner).
	if err := publishedTranslations(tx).Take(l, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		l = nil
	} else if err != nil {
		return nil, fmt.Errorf("read letter: %w", err)
	}
	letters[id] = l
	return l, nil
}

// acceptSignature applies a letter's rules to a new signature and fills in
// what the letter decides: its status, the revision agreed to, the
// confirmation token. It returns the rule broken, if any.
func acceptSignature(l *Letter, signed *Signed) error {
	sig := signed.Signature
	if l == nil {
		return ErrNotFound
	}
	if err := l.AcceptsSignatures(sig.CreatedAt); err != nil {
		return err
	}
	if !l.AllowsKind(sig.Kind) {
		return ErrKindNotAllowed
	}
	sig.Revision = l.Revision // what the signer read and agreed to
	if sig.Lang == "" {
		sig.Lang = l.Lang
	}
	sig.Status = l.statusAfterConfirmation(sig.Kind)
	sig.News = sig.News && l.OffersNews() // a request posted to a form that does not offer it
	if l.ConfirmEmail {
		token, hash := NewToken()
		expires := sig.CreatedAt.Add(ConfirmationTTL)
		sig.Status, sig.ConfirmTokenHash, sig.ConfirmExpiresAt, signed.ConfirmToken = StatusUnconfirmed, &hash, &expires, token
	}
	return nil
}

// writeBatch runs fn in one write transaction; a panic in fn rolls it back
// and is returned as an error, so that the writer goes on for the next batch.
func (s *Store) writeBatch(fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return s.signer.Transaction(s.serialised(fn))
}
