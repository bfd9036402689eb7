package models

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

// MinPasswordLength is the fewest characters a coordinator's password has.
const MinPasswordLength = 12

// commonPasswordList is the 10,000 most common passwords, one a line, most
// common first, lower case: the first 10,000 entries of the "passwords"
// frequency list of zxcvbn 4.4.2 (lib/frequency_lists.js, Copyright (c)
// 2012-2016 Dan Wheeler and Dropbox, Inc., MIT licence), which ranks
// passwords from Mark Burnett's corpus of ten million leaked passwords
// (xato.net). To refresh it, take the same list from a newer zxcvbn release.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is commonPasswordList as a set, built at first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, p := range strings.Split(strings.TrimSpace(commonPasswordList), "\n") {
		set[p] = struct{}{}
	}
	return set
})

// CheckNewPassword says why password may not be a coordinator's new
// password: ErrPasswordTooShort, ErrPasswordCommon, or nil. The list is
// compared without regard to case, as guessers try every case.
func CheckNewPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return ErrPasswordTooShort
	}
	if _, common := commonPasswords()[strings.ToLower(password)]; common {
		return ErrPasswordCommon
	}
	return nil
}
