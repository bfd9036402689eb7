package models

import "errors"

// Sentinel errors the handlers turn into pages and status codes. Their text is
// for logs; what a person reads comes from the message catalogue.
var (
	ErrNotFound          = errors.New("not found")
	ErrBadCredentials    = errors.New("wrong email or password")
	ErrEmailTaken        = errors.New("an account with this email exists")
	ErrPasswordTooShort  = errors.New("choose a password of at least 12 characters")
	ErrPasswordCommon    = errors.New("this password is among the most common; choose another")
	ErrAlreadyMember     = errors.New("already a member of this organisation")
	ErrInvitationInvalid = errors.New("invitation unknown, used or expired")
	ErrSlugTaken         = errors.New("slug already used by another letter")
	// ErrSlugNeeded asks for a slug where the title gives none (a title of
	// symbols only): no letter gets a generic address.
	ErrSlugNeeded        = errors.New("the title gives no slug: choose one")
	ErrAlreadySigned     = errors.New("this email has already signed the letter")
	ErrLetterNotOpen     = errors.New("letter is not open for signatures")
	ErrLetterClosed      = errors.New("letter no longer takes signatures")
	ErrKindNotAllowed    = errors.New("letter does not take signatures of this kind")
	ErrInvalidTransition = errors.New("letter cannot move to that state")
	ErrSetupAlreadyDone  = errors.New("the first account already exists")
	ErrAlreadyConfirmed  = errors.New("signature already confirmed")
	ErrLinkExpired       = errors.New("link expired")
	ErrBackupExists      = errors.New("the backup file already exists")
	// ErrBulkNeedsNoConfirmation refuses bulk signing of a letter that asks
	// for confirmation by email: bulk signatures get no email sent.
	ErrBulkNeedsNoConfirmation = errors.New("bulk signing needs a letter without confirmation by email")
	// ErrInvitationOnly refuses, on a members-only letter's public form,
	// an address outside its signer domains (see Letter.AcceptsPublicSigner).
	ErrInvitationOnly = errors.New("the letter is signed by invitation")
	// ErrSentOnFuture refuses a letter's sent-on date after today.
	ErrSentOnFuture = errors.New("a letter cannot have been sent after today")
	// ErrListHidden refuses publishing a dated list while the letter's list
	// is embargoed: it would show the names before the launch.
	ErrListHidden = errors.New("the list is hidden until its launch")
)
