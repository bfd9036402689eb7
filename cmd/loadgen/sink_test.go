package main

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
)

// TestSinkCountsTheNewsApart: the sink takes every email, a large one too,
// and counts as news those with a List-Unsubscribe header, whatever their
// subject's language or encoding.
func TestSinkCountsTheNewsApart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, err := startSMTPSink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(sink.url(), "smtp://")
	for _, msg := range []string{
		"Subject: =?utf-8?q?Nouvelles_de_la_lettre?=\r\nList-Unsubscribe: <http://x.test/news/unsubscribe/abc>\r\n\r\nBonjour\r\n",
		"Subject: Confirm your signature\r\n\r\n" + strings.Repeat("A packet's worth of lines.\r\n", 100_000),
		"Subject: News of the letter you signed\r\nList-Unsubscribe: <http://x.test/news/unsubscribe/def>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nHello\r\n",
	} {
		if err := smtp.SendMail(addr, nil, "site@x.test", []string{"signer@example.org"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if news, all := sink.news.Load(), sink.all.Load(); news != 2 || all != 3 {
		t.Errorf("the sink counted %d news among %d emails, want 2 among 3", news, all)
	}
}
