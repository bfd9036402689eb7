package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// AddSignaturesInBatches signs an open letter n times with the signatures
// next makes (called with 0 … n-1), batch of them in each transaction. It
// is for filling a letter with many signatories, as a load test does: one
// transaction per signature, as AddSignature takes, would mean a million
// durable commits. The rules are AddSignature's (the letter must take the
// signature and its kind; one signature per email, ErrAlreadySigned), and
// the counters and counts change in the same transaction; but no email is sent, so a
// letter that asks for confirmation is refused, and the signatures have no
// private link. It returns how many were added: the batches committed
// before an error stay.
func (s *Store) AddSignaturesInBatches(ctx context.Context, letterID int64, n, batch int, next func(i int) NewSignature) (int, error) {
	if batch < 1 {
		batch = 10_000
	}
	added := 0
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		err := s.transaction(ctx, func(tx *gorm.DB) error {
			var l Letter
			if err := tx.Take(&l, letterID).Error; err != nil {
				return notFound(err)
			}
			now := s.now()
			if err := l.AcceptsSignatures(now); err != nil {
				return err
			}
			if l.ConfirmEmail {
				return ErrBulkNeedsNoConfirmation
			}
			sigs := make([]Signature, 0, end-start)
			for i := start; i < end; i++ {
				sig := newSignature(letterID, next(i), now)
				if err := acceptSignature(&l, &Signed{Signature: sig}); err != nil {
					return err
				}
				sigs = append(sigs, *sig)
			}
			// 500 rows of about 25 columns stay under SQLite's limit of
			// 32,766 bound variables in one statement.
			if err := tx.CreateInBatches(sigs, 500).Error; err != nil {
				if isDuplicate(err) {
					return ErrAlreadySigned
				}
				return fmt.Errorf("insert signatures: %w", err)
			}
			return s.countNew(tx, sigs)
		})
		if err != nil {
			return added, err
		}
		added += end - start
	}
	return added, nil
}
