package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Verified endorsements: an organisation's signature is verified when its
// signer proved, by confirming their email, an address at one of the
// domains the letter's initiators list for that organisation in their
// directory of partners; or when a coordinator verified it by hand. A
// duplicate organisation is merged into the entry already there.

// ErrNotOrganisation is verifying or merging a signature that is not an
// organisation's: only organisations are verified, and merged.
var ErrNotOrganisation = errors.New("the signature is not an organisation's")

// ErrCannotMerge is merging a signature into itself, into an entry of
// another letter, or into one that is not an organisation's on its way to
// the list.
var ErrCannotMerge = errors.New("the signature cannot be merged into that entry")

// AuditVerify and AuditMerge are the audit log's actions of verification by
// hand, and of a duplicate organisation merged into an entry (the detail
// names both).
const (
	AuditVerify AuditAction = "verify"
	AuditMerge  AuditAction = "merge"
)

// partnerKeys maps the email domains of a letter's partners to the name
// keys of the partners writing from each.
type partnerKeys map[string][]string

// matches says whether a signature of an organisation named affiliation,
// whose signer writes from domain, comes from one of its partner's domains.
func (p partnerKeys) matches(affiliation, domain string) bool {
	key := NameKey(affiliation)
	for _, k := range p[domain] {
		if k == key {
			return true
		}
	}
	return false
}

// readPartnerKeys reads, in db, which of domains belong to partners in the
// directories of orgs, with one query on partner_domains' primary key.
func readPartnerKeys(db *gorm.DB, orgs []Organisation, domains []string) (partnerKeys, error) {
	out := partnerKeys{}
	if len(orgs) == 0 || len(domains) == 0 {
		return out, nil
	}
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	var rows []struct{ Domain, NameKey string }
	err := db.Table("partner_domains d").Select("d.domain, p.name_key").Joins("JOIN partners p ON p.id = d.partner_id").
		Where("d.organisation_id IN ? AND d.domain IN ?", ids, domains).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read partner domains: %w", err)
	}
	for _, r := range rows {
		out[r.Domain] = append(out[r.Domain], r.NameKey)
	}
	return out, nil
}

// verifyByDomain marks sig, of l, verified by its domain, and lists it
// without review, when it is an organisation's whose signer writes from
// one of that organisation's domains in the directories of l's initiators.
// It is called as the signer confirms their address, which proves it; an
// individual's signature costs no query, an organisation's two small ones.
func (s *Store) verifyByDomain(tx *gorm.DB, l *Letter, sig *Signature) error {
	domain := DomainOf(sig.Email)
	if sig.Kind != KindOrganisation || domain == "" {
		return nil
	}
	orgs, err := s.InitiatingOrganisations(tx.Statement.Context, l)
	if err != nil {
		return err
	}
	partners, err := readPartnerKeys(tx, orgs, []string{domain})
	if err != nil || !partners.matches(sig.Affiliation, domain) {
		return err
	}
	sig.Status, sig.Verified, sig.VerifiedAt = StatusListed, VerifiedByDomain, sig.ConfirmedAt
	return nil
}

// VerifySignatures verifies by hand the given signatures of l that are
// organisations' and not verified yet, logging who verified each, and
// returns how many it verified. ErrNotFound says none of ids is l's, and
// ErrNotOrganisation that none of them is an organisation's. A listed
// entry is told changed, so that the public list shows its mark. The
// caller has authorised access to l.
func (s *Store) VerifySignatures(ctx context.Context, l *Letter, userID int64, ids []int64) (int, error) {
	verified := 0
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var sigs []Signature
		if err := tx.Where("letter_id = ? AND id IN ?", l.ID, ids).Find(&sigs).Error; err != nil {
			return err
		}
		if len(sigs) == 0 {
			return ErrNotFound
		}
		n, organisations, err := s.verify(tx, l, userID, sigs)
		verified = n
		if err == nil && organisations == 0 {
			return ErrNotOrganisation
		}
		return err
	})
	return verified, err
}

// verify verifies by hand, in tx, the organisations' signatures among
// sigs (of l) not verified yet, as VerifySignatures says, and returns how
// many it verified and how many of sigs are organisations'.
func (s *Store) verify(tx *gorm.DB, l *Letter, userID int64, sigs []Signature) (verified, organisations int, err error) {
	var t tally // a listed entry changes: its list is marked changed, its counts stay
	now := s.now()
	for i := range sigs {
		sig := &sigs[i]
		if sig.Kind != KindOrganisation {
			continue
		}
		organisations++
		if sig.Verified != NotVerified {
			continue
		}
		sig.Verified, sig.VerifiedAt, sig.VerifiedBy = VerifiedByHand, &now, &userID
		if err := tx.Model(sig).Select("verified", "verified_at", "verified_by").Updates(sig).Error; err != nil {
			return 0, 0, err
		}
		if err := s.audit(tx, l.ID, &userID, sig, AuditVerify, organisationName(sig)); err != nil {
			return 0, 0, err
		}
		t.add(sig, -1)
		t.add(sig, 1)
		verified++
	}
	_, err = s.writeTally(tx, &t)
	return verified, organisations, err
}

// organisationName is what the audit log says of an organisation's
// signature: its name, unless its signer chose not to be named.
func organisationName(sig *Signature) string {
	if sig.Display.HidesName() {
		return ""
	}
	return sig.Affiliation
}

// MergeSignature merges the signature sigID of l, a duplicate organisation,
// into the entry intoID of the same organisation: the duplicate leaves the
// list, or the review queue, as a rejected signature does (its address
// cannot sign again), and the audit log says into which entry. ErrNotFound
// says sigID is not l's; ErrCannotMerge refuses intoID when it is sigID,
// another letter's, or not an organisation's signature listed or in
// review; ErrNotOrganisation refuses a duplicate that is not an
// organisation's. The caller has authorised access to l.
func (s *Store) MergeSignature(ctx context.Context, l *Letter, userID, sigID, intoID int64, entry func(*Signature) string) error {
	return s.transaction(ctx, func(tx *gorm.DB) error {
		var sig, into Signature
		if err := tx.Where("letter_id = ?", l.ID).Take(&sig, sigID).Error; err != nil {
			return notFound(err)
		}
		switch {
		case sig.Kind != KindOrganisation:
			return ErrNotOrganisation
		case sig.Status != StatusListed && sig.Status != StatusInReview, intoID == sigID:
			return ErrCannotMerge
		}
		err := tx.Where("letter_id = ? AND kind = ? AND status IN ?", l.ID, KindOrganisation, []SignatureStatus{StatusListed, StatusInReview}).
			Take(&into, intoID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrCannotMerge
		} else if err != nil {
			return err
		}
		var t tally
		t.add(&sig, -1)
		sig.Status = StatusRejected
		if err := tx.Model(&sig).Update("status", sig.Status).Error; err != nil {
			return err
		}
		if _, err := s.writeTally(tx, &t); err != nil {
			return err
		}
		return s.audit(tx, l.ID, &userID, &sig, AuditMerge, entry(&sig)+" → "+entry(&into))
	})
}

// Endorsement is what the review queue shows of an organisation's
// signature beside its entry: whether its signer's domain is one of the
// organisation's in the initiators' directories, and the other
// signatures of the letter that may be the same organisation.
type Endorsement struct {
	DomainMatches bool
	Duplicates    []Signature // listed or in review, named in full
}

// Endorsements returns, for the organisations' signatures among sigs (a
// page of l's review queue), what Endorsement says, with three queries
// for the page whatever its length. A possible duplicate has the same
// NameKey, or writes from the same domain when that domain is a partner's
// (many organisations write from webmail). Signers who hide their name are
// compared with no one: a duplicate would name them. The caller has
// authorised access to l.
func (s *Store) Endorsements(ctx context.Context, l *Letter, sigs []Signature) (map[int64]Endorsement, error) {
	out := map[int64]Endorsement{}
	var named []*Signature
	var domains []string
	for i := range sigs {
		if sig := &sigs[i]; sig.Kind == KindOrganisation {
			out[sig.ID] = Endorsement{}
			if d := DomainOf(sig.Email); d != "" {
				domains = append(domains, d)
			}
			if !sig.Display.HidesName() {
				named = append(named, sig)
			}
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	db := s.read.WithContext(ctx)
	orgs, err := s.InitiatingOrganisations(ctx, l)
	if err != nil {
		return nil, err
	}
	partners, err := readPartnerKeys(db, orgs, domains)
	if err != nil {
		return nil, err
	}
	for i := range sigs {
		if e, ok := out[sigs[i].ID]; ok {
			e.DomainMatches = partners.matches(sigs[i].Affiliation, DomainOf(sigs[i].Email))
			out[sigs[i].ID] = e
		}
	}
	candidates, err := duplicateCandidates(db, l, named, partners)
	if err != nil {
		return nil, err
	}
	for _, sig := range named {
		e := out[sig.ID]
		for _, c := range candidates {
			if c.ID != sig.ID && sameOrganisation(sig, &c, partners) {
				e.Duplicates = append(e.Duplicates, c)
			}
		}
		out[sig.ID] = e
	}
	return out, nil
}

// duplicateCandidates reads, in db, the organisations' signatures of l,
// listed or in review and named, that may be the same organisation as one
// of sigs: whose sort key starts as the first word of its name (NameKey
// drops the punctuation SQL would have to), or whose address is at its
// domain when that domain is a partner's. sameOrganisation decides.
func duplicateCandidates(db *gorm.DB, l *Letter, sigs []*Signature, partners partnerKeys) ([]Signature, error) {
	var alike []string
	var args []any
	for _, sig := range sigs {
		if words := strings.Fields(NameKey(sig.Affiliation)); len(words) > 0 {
			alike, args = append(alike, "sort_key LIKE ?"), append(args, words[0]+"%") // letters and digits: nothing to escape
		}
		if d := DomainOf(sig.Email); len(partners[d]) > 0 {
			alike, args = append(alike, "email_key LIKE ?"), append(args, "%@"+d) // an inexact match is left to sameOrganisation
		}
	}
	if len(alike) == 0 {
		return nil, nil
	}
	var out []Signature
	err := db.Where("letter_id = ? AND kind = ? AND display = ? AND status IN ?",
		l.ID, KindOrganisation, DisplayFull, []SignatureStatus{StatusListed, StatusInReview}).
		Where("("+strings.Join(alike, " OR ")+")", args...).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("read possible duplicates: %w", err)
	}
	return out, nil
}

// sameOrganisation says whether a and b may be one organisation: the same
// NameKey, or addresses at the same partner's domain.
func sameOrganisation(a, b *Signature, partners partnerKeys) bool {
	if NameKey(a.Affiliation) == NameKey(b.Affiliation) {
		return true
	}
	d := DomainOf(a.Email)
	return len(partners[d]) > 0 && DomainOf(b.Email) == d
}
