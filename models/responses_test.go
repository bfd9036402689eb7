package models_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"undersigned/models"
	"undersigned/models/modeltest"
)

// A response is kept as a dated update with its PDF: the letter's updates
// say it has one and how large, without reading it; the file is reached
// only through its own letter; deleting the response deletes the file.
func TestResponseKeepsItsPDF(t *testing.T) {
	ctx := context.Background()
	s, dsn := modeltest.OpenDSN(t)
	_, l := openLetter(t, s)
	_, other := openLetterOf(t, s, "other@example.org", "Other")
	pdf := []byte("%PDF-1.4\n% a reply from the ministry\n%%EOF\n")
	r, err := s.AddResponse(ctx, l, models.Response{
		PostedOn: time.Date(2017, 3, 2, 15, 0, 0, 0, time.UTC), From: "Ministry of Justice", Body: "We have *received* your letter.",
		Link: "https://justice.example/reply", File: &models.UpdateFile{Filename: "reply.pdf", Data: pdf},
	})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.AddResponse(ctx, l, models.Response{PostedOn: time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), From: "Embassy", Link: "https://embassy.example"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.LetterUpdates(ctx, l.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("updates: %+v (%v)", list, err)
	}
	if u := list[0]; u.ID != r.ID || u.ResponseFrom != "Ministry of Justice" || u.Link != "https://justice.example/reply" || u.FileSize != int64(len(pdf)) ||
		!u.PostedOn.Equal(time.Date(2017, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("response with a file: %+v", u)
	}
	if u := list[1]; u.ID != plain.ID || u.FileSize != 0 || u.ResponseFrom != "Embassy" {
		t.Errorf("response without a file: %+v", u)
	}
	if feed, err := s.PublicUpdates(ctx, 10); err != nil || len(feed) != 2 || feed[0].FileSize != int64(len(pdf)) || feed[0].ResponseFrom == "" {
		t.Errorf("the feed's updates: %+v (%v)", feed, err)
	}
	f, err := s.ResponseFile(ctx, l.ID, r.ID)
	if err != nil || f.Data != nil || f.Filename != "reply.pdf" || f.Size != int64(len(pdf)) {
		t.Fatalf("file: %+v (%v)", f, err)
	}
	var read []byte
	for off := int64(0); off < f.Size; off += 10 {
		chunk, err := s.ResponseFileChunk(ctx, r.ID, off, 10)
		if err != nil || len(chunk) == 0 {
			t.Fatalf("chunk at %d: %q (%v)", off, chunk, err)
		}
		read = append(read, chunk...)
	}
	if !bytes.Equal(read, pdf) {
		t.Errorf("read by chunks: %q, want %q", read, pdf)
	}
	if past, err := s.ResponseFileChunk(ctx, r.ID, f.Size, 10); err != nil || len(past) != 0 {
		t.Errorf("past the end: %q (%v)", past, err)
	}
	if _, err := s.ResponseFile(ctx, other.ID, r.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("through another letter: err = %v, want ErrNotFound", err)
	}
	if _, err := s.ResponseFile(ctx, l.ID, plain.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a response without a file: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteUpdate(ctx, l, r.ID); err != nil {
		t.Fatal(err)
	}
	if gone, err := s.ResponseFileChunk(ctx, r.ID, 0, 10); err != nil || len(gone) != 0 {
		t.Errorf("a deleted response's file reads %q (%v)", gone, err)
	}
	var kept int
	if err := modeltest.RawDB(t, dsn).QueryRow("SELECT COUNT(*) FROM update_files").Scan(&kept); err != nil || kept != 0 {
		t.Errorf("after deleting the response, %d files are kept (%v)", kept, err)
	}
}

func TestIsPDF(t *testing.T) {
	for data, want := range map[string]bool{
		"%PDF-1.7\n":             true,
		"%PDF-":                  true,
		"":                       false,
		"%PDF":                   false,
		"<html>%PDF-1.4":         false,
		"\xef\xbb\xbf%PDF-1.4\n": false,
		"PK\x03\x04 a zip":       false,
	} {
		if got := models.IsPDF([]byte(data)); got != want {
			t.Errorf("IsPDF(%q) = %v, want %v", data, got, want)
		}
	}
}
