package models

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ResponseFileMaxBytes is the largest PDF of a response the site keeps: a
// scanned letter of a few pages, kept in the database (and so in its
// backup) beside the update.
const ResponseFileMaxBytes = 10 << 20

// pdfMagic opens every PDF file (ISO 32000-1, 7.5.2).
var pdfMagic = []byte("%PDF-")

// IsPDF reports whether data reads as a PDF file by its first bytes, not by
// the name it was sent under.
func IsPDF(data []byte) bool { return bytes.HasPrefix(data, pdfMagic) }

// Response is a response to a letter as a coordinator records it: when and
// from whom, and at least one of its text, a link to it and a PDF of it.
type Response struct {
	PostedOn time.Time
	From     string
	Body     string // Markdown
	Link     string
	File     *UpdateFile // nil for none; its UpdateID and CreatedAt are set here
}

// UpdateFile is the PDF of a response, kept in the database.
type UpdateFile struct {
	UpdateID  int64 `gorm:"primaryKey;autoIncrement:false"`
	Filename  string
	Size      int64
	Data      []byte
	CreatedAt time.Time
}

// TableName is the response files' table.
func (UpdateFile) TableName() string { return "update_files" }

// AddResponse records a response on a letter as one of its dated updates,
// with its PDF if it has one, in one transaction. The caller has
// authorised access to l.
func (s *Store) AddResponse(ctx context.Context, l *Letter, r Response) (*LetterUpdate, error) {
	now := s.now()
	u := &LetterUpdate{LetterID: l.ID, PostedOn: Day(r.PostedOn), Body: r.Body, CreatedAt: now, ResponseFrom: r.From, Link: r.Link}
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		if r.File == nil {
			return nil
		}
		f := *r.File
		f.UpdateID, f.Size, f.CreatedAt = u.ID, int64(len(f.Data)), now
		u.FileSize = f.Size
		return tx.Create(&f).Error
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ResponseFile returns what is known of the PDF kept with the update id of
// the letter letterID, without its bytes (see ResponseFileChunk), or
// ErrNotFound: also for another letter's update, whose file the address of
// this one must not reach.
func (s *Store) ResponseFile(ctx context.Context, letterID, id int64) (*UpdateFile, error) {
	var f UpdateFile
	err := s.read.WithContext(ctx).Select("update_files.update_id, update_files.filename, update_files.size, update_files.created_at").
		Joins("JOIN letter_updates ON letter_updates.id = update_files.update_id").
		Where("update_files.update_id = ? AND letter_updates.letter_id = ?", id, letterID).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &f, err
}

// ResponseFileChunk returns at most n bytes of the PDF kept with the update
// id, from offset: a download reads it a chunk at a time, in short queries,
// and a crowd downloading it holds no more than a chunk each. It is empty
// past the end, or once the file is gone.
func (s *Store) ResponseFileChunk(ctx context.Context, id, offset, n int64) ([]byte, error) {
	var chunk []byte
	// substr counts a blob's (SQLite) and a bytea's (PostgreSQL) bytes from 1.
	row := s.read.WithContext(ctx).Table("update_files").Select("substr(data, ?, ?)", offset+1, n).Where("update_id = ?", id).Row()
	if err := row.Scan(&chunk); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return chunk, nil
}
