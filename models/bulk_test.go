package models_test

import (
	"context"
	"path/filepath"
	"testing"

	"undersigned/models"
)

// TestOpenForLoadingTakesOnlyANewFile: a database loaded without a journal
// is lost if the load crashes, so a file that exists, such as a server's,
// is refused, and left as it was.
func TestOpenForLoadingTakesOnlyANewFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "undersigned.db")
	s, err := models.OpenForLoading(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err := models.OpenForLoading(ctx, path); err == nil {
		s.Close()
		t.Fatal("a file that exists was opened for loading")
	}
	s, err = models.Open(ctx, path)
	if err != nil {
		t.Fatalf("the loaded file does not open as the server's: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
