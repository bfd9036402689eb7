package models

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNotSaved answers every signature of a batch whose commit failed:
// nothing of the batch was written, and sending the form again is safe.
var ErrNotSaved = errors.New("the signature was not saved, as the database failed; nothing of it was written")

// errStoreClosed answers a signature that reaches a store being closed.
var errStoreClosed = errors.New("the store is closed")

// maxSignBatch bounds the signatures one commit takes, so that a crowd of
// signers cannot make a single transaction, and the wait of its first
// signer, grow without end.
const maxSignBatch = 256

// signRequest is one signature waiting for the writer.
type signRequest struct {
	signed *Signed
	mail   ConfirmationMail
	done   chan error // buffered: the writer never waits for the signer
}

// signatureWriter is the single goroutine that writes signatures, with
// group commit: it takes every signature waiting when it begins a
// transaction, writes them all, and commits once. A durable commit
// (synchronous=FULL) costs a disk flush, which a crowd of signers then
// shares instead of queueing for one each; and the letter's counters are
// updated once per batch, not once per signature.
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
// A signer who goes away while the batch commits gets ctx's error, and the
// signature may still be stored, as if the answer had been lost on the way.
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
	answers := make([]error, 0, maxSignBatch)
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
		letters := map[int64]*Letter{}
		counts := map[int64]*listCounts{}
		for _, req := range batch {
			err := s.insertSignature(tx, req, letters)
			if errors.Is(err, errBatch) {
				return err
			}
			answers = append(answers, err)
			if err == nil {
				sig := req.signed.Signature
				if counts[sig.LetterID] == nil {
					counts[sig.LetterID] = &listCounts{}
				}
				counts[sig.LetterID].add(sig, 1)
			}
		}
		for id, c := range counts {
			if err := s.addCounts(tx, id, *c); err != nil {
				return fmt.Errorf("%w: count signatures: %w", errBatch, err)
			}
			listed = listed || *c != listCounts{}
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("%w (a batch of %d signatures): %w", ErrNotSaved, len(batch), err)
		for _, req := range batch {
			req.done <- err
		}
		return
	}
	if listed {
		s.Changed()
	}
	for i, req := range batch {
		req.done <- answers[i]
	}
}

// writeBatch runs fn in one write transaction; a panic in fn rolls it back
// and is returned as an error, so that the writer goes on for the next batch.
func (s *Store) writeBatch(fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: panic: %v", errBatch, p)
		}
	}()
	return s.write.Transaction(s.serialised(fn))
}

// errBatch marks a failure that fails the whole batch, unlike the rules one
// signature can break.
var errBatch = errors.New("signature batch failed")

// insertSignature writes one request's signature, and its confirmation
// email, in the batch's transaction. A broken rule (letter closed, kind not
// taken, email already signed) is the request's answer and writes nothing;
// any other error is wrapped in errBatch.
func (s *Store) insertSignature(tx *gorm.DB, req *signRequest, letters map[int64]*Letter) error {
	sig := req.signed.Signature
	l := letters[sig.LetterID]
	if l == nil {
		l = &Letter{}
		if err := tx.Take(l, sig.LetterID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return fmt.Errorf("%w: read letter: %w", errBatch, err)
		}
		letters[sig.LetterID] = l
	}
	if err := l.AcceptsSignatures(sig.CreatedAt); err != nil {
		return err
	}
	if !l.AllowsKind(sig.Kind) {
		return ErrKindNotAllowed
	}
	sig.Revision = l.Revision // what the signer read and agreed to
	sig.Status = l.statusAfterConfirmation(sig.Kind)
	if l.ConfirmEmail {
		token, hash := NewToken()
		expires := sig.CreatedAt.Add(ConfirmationTTL)
		sig.Status, sig.ConfirmTokenHash, sig.ConfirmExpiresAt, req.signed.ConfirmToken = StatusUnconfirmed, &hash, &expires, token
	}
	// A duplicate email is a row not inserted, not an error: an error would
	// abort the whole transaction on PostgreSQL.
	res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "letter_id"}, {Name: "email_key"}}, DoNothing: true}).Create(sig)
	switch {
	case res.Error != nil:
		return fmt.Errorf("%w: insert signature: %w", errBatch, res.Error)
	case res.RowsAffected == 0:
		return ErrAlreadySigned
	}
	if l.ConfirmEmail {
		if err := s.enqueue(tx, req.mail(l, req.signed)); err != nil {
			return fmt.Errorf("%w: enqueue confirmation: %w", errBatch, err)
		}
	}
	return nil
}
