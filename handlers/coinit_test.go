package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"undersigned/handlers"
	"undersigned/handlers/handlertest"
	"undersigned/models"
	"undersigned/models/modeltest"
)

// The organisations of the co-initiation tests: ICDR drafts seed 003's
// letter (whose free-text initiators name it and Forum 2000 Foundation),
// CIVICUS is invited to co-initiate it, and a third organisation has
// nothing to do with it.
const (
	icdr, icdrEmail       = "International Coalition for Democratic Renewal (ICDR)", "a@icdr.example"
	civicus, civicusEmail = "CIVICUS", "b@civicus.example"
	third, thirdEmail     = "Third Organisation", "c@third.example"
)

// coInitiationLink finds the link of an invitation to co-initiate in an email.
var coInitiationLink = regexp.MustCompile(`http://undersigned\.test(/dashboard/co-initiations/[A-Za-z0-9_-]+)`)

// coInitiation is a site with seed 003's letter, drafted and opened by
// ICDR, on which organisations' signatures wait for review; dsn is its
// database's, for the tests that look behind the store's back.
type coInitiation struct {
	*site
	dsn    string
	icdr   *handlertest.Client
	editor string
}

func newCoInitiation(t *testing.T) *coInitiation {
	t.Helper()
	store, dsn := modeltest.OpenDSN(t)
	s := newSiteOn(t, store, handlers.Config{})
	coord, editor := s.openLetter(icdrEmail, icdr, handlertest.Settings("listed", "review_organisations"))
	return &coInitiation{site: s, dsn: dsn, icdr: coord, editor: editor}
}

// invite has ICDR's coordinator invite address, and returns the emailed link.
func (ci *coInitiation) invite(t *testing.T, address string) string {
	t.Helper()
	ci.icdr.Get(ci.editor)
	r := ci.icdr.Post(ci.editor+"/co-initiators", url.Values{"email": {address}}).Expect(t, http.StatusSeeOther)
	if r.Location != ci.editor+"?co-invited=1#co-initiators" {
		t.Fatalf("inviting %s led to %q", address, r.Location)
	}
	mail := ci.inbox(address)
	if len(mail) == 0 {
		t.Fatalf("no email to %s", address)
	}
	m := coInitiationLink.FindStringSubmatch(mail[len(mail)-1].Body)
	if m == nil {
		t.Fatalf("the email to %s has no link:\n%s", address, mail[len(mail)-1].Body)
	}
	return m[1]
}

// accept has client open link and press Accept, and returns the page it is led to.
func accept(t *testing.T, c *handlertest.Client, link string) handlertest.Response {
	t.Helper()
	c.Get(link).Expect(t, http.StatusOK, "Accept")
	r := c.Post(link, url.Values{}).Expect(t, http.StatusSeeOther)
	return c.Get(r.Location)
}

func (ci *coInitiation) initiating(t *testing.T) []string {
	t.Helper()
	l, err := ci.store.CoordinatorLetter(context.Background(), userID(t, ci.store, icdrEmail), letterID(t, ci.editor))
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := ci.store.InitiatingOrganisations(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range orgs {
		names = append(names, o.Name)
	}
	return names
}

func letterID(t *testing.T, editor string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(editor[strings.LastIndexByte(editor, '/')+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// userID is the id of the coordinator with this email.
func userID(t *testing.T, s *models.Store, email string) int64 {
	t.Helper()
	u, err := s.Authenticate(context.Background(), email, modeltest.Password)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestCoInitiatorIsInvitedAndAcceptsWithOneClick: ICDR's coordinator
// invites CIVICUS's by email, in their own language, without learning
// whether the address has an account; CIVICUS's coordinator, logged out,
// logs in and comes back to the invitation, accepts with one click, and
// becomes a co-initiator, second after the letter's own organisation.
func TestCoInitiatorIsInvitedAndAcceptsWithOneClick(t *testing.T) {
	ci := newCoInitiation(t)
	modeltest.Coordinator(t, ci.store, civicusEmail, civicus)

	// A refused address is said beside the field, the value kept.
	ci.icdr.Get(ci.editor).Expect(t, http.StatusOK, "Co-initiators", "Initiated by "+icdr+".")
	ci.icdr.Post(ci.editor+"/co-initiators", url.Values{"email": {""}}).Expect(t, http.StatusUnprocessableEntity,
		"Enter the email address of a coordinator of the other organisation", `href="#f-email"`)
	ci.icdr.Post(ci.editor+"/co-initiators", url.Values{"email": {"not-an-address"}}).Expect(t, http.StatusUnprocessableEntity,
		"Enter an email address like name@example.org", `value="not-an-address"`)

	// The answer is the same for an address with an account and without.
	ci.icdr.Get(ci.editor)
	ci.icdr.Cookies["lang"] = "fr"
	link := ci.invite(t, civicusEmail)
	ci.invite(t, "nobody@elsewhere.example")
	ci.icdr.Cookies["lang"] = "en"
	mail := ci.inbox(civicusEmail)[0]
	if mail.Lang != "fr" || !strings.Contains(mail.Subject, "Co-initier la lettre") || !strings.Contains(mail.Body, "Coordinator "+icdr+" ("+icdr+")") {
		t.Errorf("the invitation is not in the inviter's language, or does not say who invites: %s\n%s\n%s", mail.Lang, mail.Subject, mail.Body)
	}
	token := link[strings.LastIndexByte(link, '/')+1:]
	db := modeltest.RawDB(t, ci.dsn)
	var plain, hashed int
	db.QueryRow("SELECT COUNT(*) FROM co_initiation_invitations WHERE token_hash = $1", token).Scan(&plain)
	db.QueryRow("SELECT COUNT(*) FROM co_initiation_invitations WHERE token_hash = $1", models.TokenHash(token)).Scan(&hashed)
	if plain != 0 || hashed != 1 {
		t.Errorf("the invitation's token is stored as it is (%d) or not hashed (%d)", plain, hashed)
	}
	ci.icdr.Get(ci.editor).Expect(t, http.StatusOK, "Invitations not yet accepted", civicusEmail, "nobody@elsewhere.example")

	// Logged out, the link leads to the login, and back.
	b := ci.client()
	r := b.Get(link).Expect(t, http.StatusSeeOther)
	if r.Location != "/login?next="+url.QueryEscape(link) {
		t.Fatalf("a visitor not logged in is led to %q", r.Location)
	}
	b.Get(r.Location)
	r = b.Post("/login", url.Values{"email": {civicusEmail}, "password": {modeltest.Password}, "next": {link}}).Expect(t, http.StatusSeeOther)
	if r.Location != link {
		t.Fatalf("the login leads to %q, not back to the invitation", r.Location)
	}
	b.Get(link).Expect(t, http.StatusOK, "Coordinator "+icdr+" ("+icdr+") invites your organisation to co-initiate the letter",
		modeltest.Azerbaijan.Title, "You accept on behalf of "+civicus+".")
	r = b.Post(link, url.Values{}).Expect(t, http.StatusSeeOther)
	b.Get(r.Location).Expect(t, http.StatusOK, "Accepted: "+civicus+" co-initiates this letter.", `href="`+ci.editor+`"`)

	if got := ci.initiating(t); strings.Join(got, "|") != icdr+"|"+civicus {
		t.Errorf("the initiating organisations are %q", got)
	}
	b.Get("/dashboard").Expect(t, http.StatusOK, civicus, modeltest.Azerbaijan.Title)
	ci.icdr.Get(ci.editor).Expect(t, http.StatusOK, "Initiated by "+icdr+" and "+civicus+".")
	if strings.Contains(ci.icdr.Get(ci.editor).Body, civicusEmail) {
		t.Error("an accepted invitation is still listed as waiting")
	}
}

// TestSecondAcceptanceIsHarmless: the same coordinator pressing Accept
// again, or a colleague of their organisation, is told the invitation was
// accepted, and nothing is added twice; the drafting organisation cannot
// accept its own letter.
func TestSecondAcceptanceIsHarmless(t *testing.T) {
	ci := newCoInitiation(t)
	u, orgID := modeltest.Coordinator(t, ci.store, civicusEmail, civicus)
	ctx := context.Background()
	join, err := ci.store.CreateInvitation(ctx, u.ID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ci.store.AcceptInvitation(ctx, join, 0, models.NewAccount{Email: "b2@civicus.example", Name: "Colleague", Password: modeltest.Password}); err != nil {
		t.Fatal(err)
	}
	link := ci.invite(t, civicusEmail)

	// ICDR's own coordinator opening the link has nothing to accept.
	ci.icdr.Get(link).Expect(t, http.StatusOK, "Your organisation already initiates this letter.")
	ci.icdr.Post(link, url.Values{"organisation": {"1"}}).Expect(t, http.StatusOK, "Your organisation already initiates this letter.")

	b := ci.loggedIn(civicusEmail)
	accept(t, b, link)
	b.Post(link, url.Values{}).Expect(t, http.StatusOK, "This invitation has already been accepted, by "+civicus+".")
	colleague := ci.loggedIn("b2@civicus.example")
	colleague.Get(link).Expect(t, http.StatusOK, "This invitation has already been accepted, by "+civicus+".")
	colleague.Post(link, url.Values{}).Expect(t, http.StatusOK, "This invitation has already been accepted, by "+civicus+".")
	// A second invitation to the same organisation does not add it twice.
	again := ci.invite(t, "b2@civicus.example")
	colleague.Get(again).Expect(t, http.StatusOK, "Your organisation already initiates this letter.")

	if got := ci.initiating(t); strings.Join(got, "|") != icdr+"|"+civicus {
		t.Errorf("the initiating organisations are %q", got)
	}
	audit := ci.icdr.Get(ci.editor+"/signatures").Expect(t, http.StatusOK, "added a co-initiator")
	if n := strings.Count(audit.Body, "added a co-initiator"); n != 1 {
		t.Errorf("the audit log records %d acceptances, want 1", n)
	}
}

// TestAForwardedCoInitiationLinkCannotBeAccepted: the link is for the
// address it was sent to. A coordinator of a third organisation who is
// given it (forwarded, or read over a shoulder) is told so and cannot
// make their organisation an initiator of the letter.
func TestAForwardedCoInitiationLinkCannotBeAccepted(t *testing.T) {
	ci := newCoInitiation(t)
	modeltest.Coordinator(t, ci.store, civicusEmail, civicus)
	modeltest.Coordinator(t, ci.store, thirdEmail, third)
	link := ci.invite(t, civicusEmail)

	other := ci.loggedIn(thirdEmail)
	other.Get(link).Expect(t, http.StatusForbidden, "This invitation was sent to another email address.")
	other.Post(link, url.Values{}).Expect(t, http.StatusForbidden, "This invitation was sent to another email address.")
	other.Get(ci.editor).Expect(t, http.StatusNotFound)
	if got := ci.initiating(t); strings.Join(got, "|") != icdr {
		t.Errorf("the initiating organisations are %q", got)
	}
	// The address it was sent to still accepts it.
	accept(t, ci.loggedIn(civicusEmail), link)
	if got := ci.initiating(t); strings.Join(got, "|") != icdr+"|"+civicus {
		t.Errorf("the initiating organisations are %q", got)
	}
}

// loggedIn is a client logged in as an existing coordinator.
func (s *site) loggedIn(email string) *handlertest.Client {
	c := s.client()
	c.LogIn(email, modeltest.Password)
	return c
}

// TestExpiredCoInitiationSaysSo: a link past its date says it expired,
// and accepting it adds nothing.
func TestExpiredCoInitiationSaysSo(t *testing.T) {
	ci := newCoInitiation(t)
	modeltest.Coordinator(t, ci.store, civicusEmail, civicus)
	link := ci.invite(t, civicusEmail)
	if _, err := modeltest.RawDB(t, ci.dsn).Exec("UPDATE co_initiation_invitations SET expires_at = $1", "2020-01-01 00:00:00+00:00"); err != nil {
		t.Fatal(err)
	}
	b := ci.loggedIn(civicusEmail)
	b.Get(link).Expect(t, http.StatusGone, "This invitation has expired.")
	b.Post(link, url.Values{}).Expect(t, http.StatusGone, "This invitation has expired.")
	b.Get(ci.editor).Expect(t, http.StatusNotFound)
	ci.icdr.Get(ci.editor).Expect(t, http.StatusOK, civicusEmail, "expired on")
	b.Get("/dashboard/co-initiations/unknown-token").Expect(t, http.StatusNotFound)
}

// TestCoInitiatorActsOnTheLetterAndAThirdOrganisationCannot: every route
// of a letter's dashboard answers a co-initiator's coordinator as the
// drafter's, who edits the text, moderates and sees the audit log naming
// each one's organisation; a coordinator of a third organisation gets 404
// on every one of them.
func TestCoInitiatorActsOnTheLetterAndAThirdOrganisationCannot(t *testing.T) {
	ci := newCoInitiation(t)
	modeltest.Coordinator(t, ci.store, civicusEmail, civicus)
	c := ci.coordinator(thirdEmail, third)
	b := ci.loggedIn(civicusEmail)
	accept(t, b, ci.invite(t, civicusEmail))

	// The co-initiator's coordinator edits the text and drafts its French
	// version.
	b.Get(ci.editor)
	edit := handlertest.LetterForm("save")
	edit.Set("subject", "Political prisoners in Azerbaijan, ahead of COP29")
	b.Post(ci.editor, edit).Expect(t, http.StatusSeeOther)
	ci.client().Get(seedSlug).Expect(t, http.StatusOK, "Political prisoners in Azerbaijan, ahead of COP29")
	b.Get(ci.editor + "/translations/fr")
	b.Post(ci.editor+"/translations/fr", translationForm(seedFrench, "save")).Expect(t, http.StatusSeeOther)

	signer := ci.client()
	signer.Get(seedSlug)
	signer.Post(seedSlug+"/sign", handlertest.OrgForm("Jakub Klepal", "Forum 2000 Foundation", "CZ", "jakub@forum2000.example")).Expect(t, http.StatusSeeOther)
	review := b.Get(ci.editor+"/review").Expect(t, http.StatusOK, "Forum 2000 Foundation")
	ids := reviewIDs(review.Body)
	if len(ids) != 1 {
		t.Fatalf("the review queue lists %v", ids)
	}
	var sig string
	for _, id := range ids {
		sig = id
	}

	id := strconv.FormatInt(letterID(t, ci.editor), 10)
	fill := strings.NewReplacer(":id", id, ":sig", sig, ":update", "1", ":lang", "fr")
	var routes int
	for _, r := range ci.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/dashboard/letters/:id") || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
			continue
		}
		routes++
		path := fill.Replace(r.Path)
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if r.Method == http.MethodGet {
				c.Get(path).Expect(t, http.StatusNotFound)
				if got, want := b.Get(path).Status, ci.icdr.Get(path).Status; got != want || got == http.StatusNotFound {
					t.Errorf("the co-initiator's coordinator gets %d, the drafter's %d", got, want)
				}
				return
			}
			c.Get("/dashboard")
			c.Post(path, url.Values{"email": {thirdEmail}, "sig": {sig}, "approve": {sig}}).Expect(t, http.StatusNotFound)
		})
	}
	if routes < 20 {
		t.Fatalf("only %d letter routes found", routes)
	}
	if len(ci.inbox(thirdEmail)) != 0 {
		t.Error("a third organisation's coordinator sent an invitation to co-initiate")
	}

	// The co-initiator's coordinator moderates.
	b.Get(ci.editor + "/review")
	b.Post(ci.editor+"/review", url.Values{"approve": {sig}}).Expect(t, http.StatusSeeOther)
	ci.client().Get(seedSlug).Expect(t, http.StatusOK, "1 signature")

	// The audit log names who acted, with their organisation.
	ci.icdr.Get(ci.editor+"/signatures").ExpectMarkup(t,
		"<bdi>Coordinator "+civicus+"</bdi> (<bdi>"+civicus+"</bdi>): approved",
		"<bdi>Coordinator "+civicus+"</bdi> (<bdi>"+civicus+"</bdi>): added a co-initiator: <bdi>"+civicus+"</bdi>")
	ci.icdr.Get(ci.editor + "/signatures.csv")
	ci.icdr.Get(ci.editor+"/signatures").ExpectMarkup(t, "<bdi>Coordinator "+icdr+"</bdi> (<bdi>"+icdr+"</bdi>): downloaded the list")
	c.Get("/dashboard").Expect(t, http.StatusOK)
	if strings.Contains(c.Get("/dashboard").Body, modeltest.Azerbaijan.Title) {
		t.Error("a third organisation's dashboard lists the letter")
	}
}

// TestCoInitiatorsAreShownAsInitiators: above the letter, on its page,
// its print page, its packet and in its JSON, the initiators are the
// initiating organisations, the letter's own first, then the free-text
// initiators not already among them.
func TestCoInitiatorsAreShownAsInitiators(t *testing.T) {
	ci := newCoInitiation(t)
	modeltest.Coordinator(t, ci.store, civicusEmail, civicus)
	v := ci.client()
	// Pages cached before the acceptance are not shown after it.
	v.Get(seedSlug).Expect(t, http.StatusOK, "An initiative of "+icdr+" and Forum 2000 Foundation")
	v.Get("/").Expect(t, http.StatusOK, "An initiative of "+icdr+" and Forum 2000 Foundation")
	accept(t, ci.loggedIn(civicusEmail), ci.invite(t, civicusEmail))

	const line = "An initiative of " + icdr + ", " + civicus + " and Forum 2000 Foundation"
	v.Get(seedSlug).Expect(t, http.StatusOK, line)
	v.Get(seedSlug+"/print").Expect(t, http.StatusOK, line)
	v.Get("/").Expect(t, http.StatusOK, line)
	v.Get(seedSlug+".json").Expect(t, http.StatusOK, `"initiators":["`+strings.ReplaceAll(icdr, "&", `\u0026`)+`","`+civicus+`","Forum 2000 Foundation"]`)
	if text := packetText(t, ci.site, needPdftotext(t), seedSlug); !strings.Contains(text, line) {
		t.Errorf("the packet does not say %q:\n%s", line, text[:min(len(text), 600)])
	}
}
