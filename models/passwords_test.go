package models_test

import (
	"errors"
	"testing"

	"undersigned/models"
)

func TestCheckNewPassword(t *testing.T) {
	tests := map[string]error{
		"aaaaaaaaaa":                   models.ErrPasswordTooShort,
		"élan vital":                   models.ErrPasswordTooShort, // 10 characters, 11 bytes
		"1qaz2wsx3edc":                 models.ErrPasswordCommon,
		"QWERTY123456":                 models.ErrPasswordCommon,
		"leavemealone":                 models.ErrPasswordCommon,
		"correct horse battery staple": nil,
		"мой длинный пароль":           nil,
	}
	for password, want := range tests {
		if got := models.CheckNewPassword(password); !errors.Is(got, want) {
			t.Errorf("%q: %v, want %v", password, got, want)
		}
	}
}
