package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// LetterUpdate is a dated update a coordinator posts on a letter ("The
// authorities released two of the prisoners named…").
type LetterUpdate struct {
	ID        int64
	LetterID  int64
	PostedOn  time.Time // midnight UTC of its date
	Body      string    // Markdown, rendered on read
	CreatedAt time.Time
	// Milestone, for an update the site recorded as a goal was reached, is
	// the goal's kind (MilestoneSignatures…) and Goal its number; the page
	// words it in its reader's language, and Body is empty.
	Milestone string
	Goal      int64
	// ResponseFrom, for a response to the letter, names who answered;
	// Link is where it can be read elsewhere. A PDF of it is kept in
	// update_files.
	ResponseFrom string
	Link         string
	// FileSize is the size of the response's PDF, 0 for none; the queries
	// that list updates read it (see withFileSize).
	FileSize int64 `gorm:"->"`
}

// TableName is the updates' table.
func (LetterUpdate) TableName() string { return "letter_updates" }

// AddUpdate posts a dated update on a letter. The caller has authorised access to l.
func (s *Store) AddUpdate(ctx context.Context, l *Letter, postedOn time.Time, body string) (*LetterUpdate, error) {
	u := &LetterUpdate{LetterID: l.ID, PostedOn: Day(postedOn), Body: body, CreatedAt: s.now()}
	err := s.transaction(ctx, func(tx *gorm.DB) error { return tx.Create(u).Error })
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUpdate deletes an update of a letter, or returns ErrNotFound. The
// caller has authorised access to l.
func (s *Store) DeleteUpdate(ctx context.Context, l *Letter, id int64) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		res := tx.Where("letter_id = ?", l.ID).Delete(&LetterUpdate{}, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		// A response's PDF goes with it; the foreign key would take it too,
		// where the database enforces it.
		return tx.Where("update_id = ?", id).Delete(&UpdateFile{}).Error
	})
}

// LetterUpdates returns a letter's updates, newest first.
func (s *Store) LetterUpdates(ctx context.Context, letterID int64) ([]LetterUpdate, error) {
	var out []LetterUpdate
	err := s.read.WithContext(ctx).Select(withFileSize).Where("letter_id = ?", letterID).Order("posted_on DESC, id DESC").Find(&out).Error
	return out, err
}

// withFileSize selects an update with the size of its response's PDF, if
// any (LetterUpdate.FileSize), without reading the file.
const withFileSize = "letter_updates.*, COALESCE((SELECT f.size FROM update_files f WHERE f.update_id = letter_updates.id), 0) AS file_size"

// LatestUpdates returns the newest update of each of the letters that has
// one, by letter id, in one query.
func (s *Store) LatestUpdates(ctx context.Context, letterIDs []int64) (map[int64]LetterUpdate, error) {
	out := map[int64]LetterUpdate{}
	if len(letterIDs) == 0 {
		return out, nil
	}
	var rows []LetterUpdate
	err := s.read.WithContext(ctx).Where(`letter_id IN ? AND id = (SELECT u.id FROM letter_updates u
		WHERE u.letter_id = letter_updates.letter_id ORDER BY u.posted_on DESC, u.id DESC LIMIT 1)`, letterIDs).Find(&rows).Error
	for _, u := range rows {
		out[u.LetterID] = u
	}
	return out, err
}
