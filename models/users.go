package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"gorm.io/gorm"
)

// User is a coordinator's account.
type User struct {
	ID           int64
	Email        string
	Name         string
	PasswordHash string
	CreatedAt    time.Time
}

// Organisation is a coalition member that owns letters.
type Organisation struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

type membership struct {
	UserID         int64
	OrganisationID int64
	CreatedAt      time.Time
}

type invitation struct {
	ID             int64
	OrganisationID int64
	TokenHash      string
	CreatedBy      int64
	ExpiresAt      time.Time
	UsedAt         *time.Time
}

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// NewAccount is what creating a coordinator's account needs.
type NewAccount struct {
	Email    string
	Name     string
	Password string
}

// argon2id parameters: the OWASP minimum of 19 MiB and two passes keeps a
// login under a few tens of milliseconds on a small machine.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of password in PHC string form.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a hash made by HashPassword.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when an email is unknown, so that a login
// takes as long for an unknown account as for a wrong password.
var dummyHash, _ = HashPassword("undersigned-dummy-password")

// NewToken returns a random URL-safe token and the hash under which it is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// UserCount returns how many coordinator accounts exist.
func (s *Store) UserCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.read.WithContext(ctx).Table("users").Count(&n).Error
	return n, err
}

func (s *Store) createUser(tx *gorm.DB, a NewAccount) (*User, error) {
	if err := CheckNewPassword(a.Password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(a.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: EmailKey(a.Email), Name: a.Name, PasswordHash: hash, CreatedAt: s.now()}
	var exists int64
	if err := tx.Table("users").Where("email = ?", u.Email).Count(&exists).Error; err != nil {
		return nil, err
	}
	if exists > 0 {
		return nil, ErrEmailTaken
	}
	if err := tx.Create(u).Error; err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// CreateUserWithOrganisation creates a coordinator together with a new
// organisation they belong to.
func (s *Store) CreateUserWithOrganisation(ctx context.Context, a NewAccount, orgName string) (*User, error) {
	var u *User
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var err error
		u, err = s.createUserWithOrganisationTx(tx, a, orgName)
		return err
	})
	return u, err
}

// CreateFirstUser is CreateUserWithOrganisation for the one-time setup: it
// refuses once any account exists, checked inside the same transaction.
func (s *Store) CreateFirstUser(ctx context.Context, a NewAccount, orgName string) (*User, error) {
	var u *User
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("users").Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrSetupAlreadyDone
		}
		var err error
		u, err = s.createUserWithOrganisationTx(tx, a, orgName)
		return err
	})
	return u, err
}

func (s *Store) createUserWithOrganisationTx(tx *gorm.DB, a NewAccount, orgName string) (*User, error) {
	u, err := s.createUser(tx, a)
	if err != nil {
		return nil, err
	}
	org := &Organisation{Name: orgName, CreatedAt: s.now()}
	if err := tx.Create(org).Error; err != nil {
		return nil, fmt.Errorf("create organisation: %w", err)
	}
	if err := tx.Create(&membership{UserID: u.ID, OrganisationID: org.ID, CreatedAt: s.now()}).Error; err != nil {
		return nil, fmt.Errorf("create membership: %w", err)
	}
	return u, nil
}

// Authenticate returns the user with this email and password, or ErrBadCredentials.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	err := s.read.WithContext(ctx).Where("email = ?", EmailKey(email)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		CheckPassword(dummyHash, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, ErrBadCredentials
	}
	return &u, nil
}

// UserByID returns a user, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.read.WithContext(ctx).Take(&u, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// Organisations returns the organisations a user belongs to, by name.
func (s *Store) Organisations(ctx context.Context, userID int64) ([]Organisation, error) {
	var orgs []Organisation
	err := s.read.WithContext(ctx).
		Joins("JOIN memberships ON memberships.organisation_id = organisations.id").
		Where("memberships.user_id = ?", userID).Order("organisations.name").Find(&orgs).Error
	return orgs, err
}

// IsMember reports whether a user belongs to an organisation.
func (s *Store) IsMember(ctx context.Context, userID, orgID int64) (bool, error) {
	return isMember(s.read.WithContext(ctx), userID, orgID)
}

// isMember is IsMember in db, such as a transaction.
func isMember(db *gorm.DB, userID, orgID int64) (bool, error) {
	var n int64
	err := db.Table("memberships").Where("user_id = ? AND organisation_id = ?", userID, orgID).Count(&n).Error
	return n > 0, err
}

// CoordinatorOrganisation returns an organisation the user is a member
// of, or ErrNotFound: another's is not for them to see.
func (s *Store) CoordinatorOrganisation(ctx context.Context, userID, orgID int64) (*Organisation, error) {
	var org Organisation
	err := s.read.WithContext(ctx).
		Joins("JOIN memberships ON memberships.organisation_id = organisations.id AND memberships.user_id = ?", userID).
		Where("organisations.id = ?", orgID).Take(&org).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &org, nil
}

// CreateInvitation makes a link token that lets a colleague join orgID. The
// caller must be a member of it.
func (s *Store) CreateInvitation(ctx context.Context, userID, orgID int64) (string, error) {
	member, err := s.IsMember(ctx, userID, orgID)
	if err != nil {
		return "", err
	}
	if !member {
		return "", ErrNotFound
	}
	token, hash := NewToken()
	inv := &invitation{OrganisationID: orgID, TokenHash: hash, CreatedBy: userID, ExpiresAt: s.now().Add(InvitationTTL)}
	if err := s.privateTransaction(ctx, func(tx *gorm.DB) error { return tx.Create(inv).Error }); err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	return token, nil
}

// InvitationOrganisation returns the organisation a valid invitation token leads to.
func (s *Store) InvitationOrganisation(ctx context.Context, token string) (*Organisation, error) {
	var org Organisation
	err := s.read.WithContext(ctx).
		Joins("JOIN invitations ON invitations.organisation_id = organisations.id").
		Where("invitations.token_hash = ? AND invitations.used_at IS NULL AND invitations.expires_at > ?", TokenHash(token), s.now()).
		Take(&org).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrInvitationInvalid
	}
	return &org, err
}

// AcceptInvitation uses an invitation token: an existing user (userID > 0)
// joins the organisation, or else a new account is created in it. The token
// works once.
func (s *Store) AcceptInvitation(ctx context.Context, token string, userID int64, a NewAccount) (*User, error) {
	var u *User
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var inv invitation
		err := tx.Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", TokenHash(token), s.now()).Take(&inv).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrInvitationInvalid
		}
		if err != nil {
			return err
		}
		if userID > 0 {
			u = &User{}
			if err := tx.Take(u, userID).Error; err != nil {
				return notFound(err)
			}
			var n int64
			if err := tx.Table("memberships").Where("user_id = ? AND organisation_id = ?", userID, inv.OrganisationID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ErrAlreadyMember
			}
		} else if u, err = s.createUser(tx, a); err != nil {
			return err
		}
		if err := tx.Create(&membership{UserID: u.ID, OrganisationID: inv.OrganisationID, CreatedAt: s.now()}).Error; err != nil {
			return err
		}
		return tx.Model(&inv).Update("used_at", s.now()).Error
	})
	return u, err
}

// notFound turns GORM's missing-record error into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
