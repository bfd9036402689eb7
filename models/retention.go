package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// outboxRetention is how long a message, with the address and links in it,
// stays in the outbox; confirmation links expire well before.
const outboxRetention = 14 * 24 * time.Hour

// Erased counts what EraseExpired erased.
type Erased struct {
	Emails      int64 // signatures whose email and private links were erased
	Unconfirmed int64 // signatures never confirmed, deleted a week after their link expired
	Messages    int64 // outbox messages deleted
}

// ClosedSince is when the letter stopped taking signatures, by hand or at
// its closing moment (see ClosesAt), whichever came first; nil if neither
// is set. A closing moment still to come is returned too.
func (l *Letter) ClosedSince() *time.Time {
	at := l.ClosedAt
	if end := l.ClosesAt(); end != nil && (at == nil || end.Before(*at)) {
		at = end
	}
	return at
}

// EraseExpired erases the personal data kept past its time: the emails,
// private links and requests for news of signatures of letters closed
// more than their retention days ago (the names stay on the list as their
// signers chose) with the news still waiting for them, unconfirmed signatures a week after their link expired,
// and old outbox messages.
func (s *Store) EraseExpired(ctx context.Context) (Erased, error) {
	now := s.now()
	var out Erased
	var letters []Letter
	if err := s.read.WithContext(ctx).Select("id", "closed_at", "closes_on", "timezone", "retention_days").
		Where("closed_at IS NOT NULL OR closes_on IS NOT NULL").Find(&letters).Error; err != nil {
		return out, err
	}
	var expired []int64
	for _, l := range letters {
		if since := l.ClosedSince(); since != nil && !now.Before(since.AddDate(0, 0, l.RetentionDays)) {
			expired = append(expired, l.ID)
		}
	}
	var newsKey []byte
	if len(expired) > 0 {
		var err error
		if newsKey, err = s.newsKey(ctx); err != nil {
			return out, err
		}
	}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if len(expired) > 0 {
			if err := dropWaitingNewsOf(tx, newsKey, expired); err != nil {
				return fmt.Errorf("drop the news waiting for erased signers: %w", err)
			}
			res := tx.Model(&Signature{}).Where("letter_id IN ? AND email <> ''", expired).Updates(map[string]any{
				"email": "", "email_key": gorm.Expr("'erased:' || id"), "manage_token_hash": nil, "confirm_token_hash": nil, "reconfirm_token_hash": nil,
				"news": false,
			})
			if res.Error != nil {
				return res.Error
			}
			out.Emails = res.RowsAffected
		}
		res := tx.Where("status = ? AND confirm_expires_at < ?", StatusUnconfirmed, now.Add(-7*24*time.Hour)).Delete(&Signature{})
		if res.Error != nil {
			return res.Error
		}
		out.Unconfirmed = res.RowsAffected
		res = tx.Where("created_at < ?", now.Add(-outboxRetention)).Delete(&OutboxMessage{})
		out.Messages = res.RowsAffected
		return res.Error
	})
	return out, err
}
