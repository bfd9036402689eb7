package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestLoadgenRunsEachScenarioAgainstTheRealServer runs the tool for about a
// second per attack on a small letter: the figures come with their ratios
// to the baseline, every sign outcome is the one wanted, and the letter
// counts every signature the server thanked for.
func TestLoadgenRunsEachScenarioAgainstTheRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	bin, err := buildServer(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		scenario string
		want     []string
	}{
		{"letter", []string{"baseline GET /healthz", "letter GET /letters/joint-letter-under-load", "letter ÷ baseline", "page (want 200)"}},
		{"list", []string{"list GET /letters/joint-letter-under-load/signatories?page=2", "list ÷ baseline"}},
		{"packet", []string{"packet GET /letters/joint-letter-under-load/packet.pdf", "packet ÷ baseline", "page (want 200)"}},
		{"sign", []string{"valid (want 303)", "duplicate (want 303)", "invalid (want 422)", "stored: the letter counts the 150 signatories prepared"}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			var out bytes.Buffer
			args := []string{"-server", bin, "-scenario", tc.scenario, "-signatures", "150", "-page", "2", "-workers", "4", "-duration", "700ms"}
			if err := run(context.Background(), args, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "UNEXPECTED") {
				t.Errorf("unexpected statuses:\n%s", out.String())
			}
		})
	}
}

func TestLoadgenRefusesUnboundedOrUnknownRuns(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "everything"},
		{"-signatures", "1000001"},
		{"-duration", "11m"},
		{"-duration", "0s"},
		{"-workers", "0"},
		{"-duplicates", "0.7", "-invalid", "0.5"},
		{"-scenario", "sign", "-signatures", "0"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
