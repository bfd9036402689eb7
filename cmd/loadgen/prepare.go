package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"undersigned/models"
)

// loadText is the letter under load: as long as a real joint letter, with
// two groups of demands.
var loadText = models.LetterText{
	Title:      "Joint letter under load",
	Summary:    "A letter with many signatories, made by loadgen to measure the pages that show it.",
	Initiators: "Loadgen Coalition\nMeasure First Foundation",
	Addressees: "Permanent Representatives of Member and Observer States of the UN Human Rights Council",
	Subject:    "Measuring before changing",
	Salutation: "Excellencies,",
	Body: "We, the undersigned organisations and individuals, write to express our deep concern about the situation of human rights defenders, journalists and lawyers. " +
		"For months the authorities have escalated their repression, using fabricated charges, arbitrary arrests and judicial harassment to silence dissenting voices.\n\n" +
		"Despite repeated condemnation from international human rights bodies, the authorities continue to disregard their obligations under international law.",
	Groups: []models.DemandGroupText{
		{LeadIn: "We demand that the authorities:", Demands: "Release all political prisoners;\nEnd the judicial harassment of human rights defenders;\nRespect international human rights law."},
		{LeadIn: "We further call on the international community to:", Demands: "Stand behind the political prisoners;\nAttend their court hearings and report on them."},
	},
	Closing: "Sincerely,",
}

// loadFrench is loadText's French translation, published when the run
// reads a translation (-version fr).
var loadFrench = models.LetterText{
	Title:      "Lettre commune sous charge",
	Summary:    "Une lettre aux nombreux signataires, créée par loadgen pour mesurer les pages qui la montrent.",
	Addressees: "Représentants permanents des États membres et observateurs du Conseil des droits de l’homme des Nations unies",
	Subject:    "Mesurer avant de changer",
	Salutation: "Excellences,",
	Body: "Nous, organisations et personnes soussignées, vous écrivons pour exprimer notre profonde inquiétude quant à la situation des défenseurs des droits humains, des journalistes et des avocats. " +
		"Depuis des mois, les autorités intensifient la répression, recourant à des accusations fabriquées, à des arrestations arbitraires et au harcèlement judiciaire pour faire taire les voix dissidentes.\n\n" +
		"Malgré les condamnations répétées des organes internationaux des droits humains, les autorités continuent de méconnaître leurs obligations au regard du droit international.",
	Groups: []models.DemandGroupText{
		{LeadIn: "Nous demandons aux autorités :", Demands: "de libérer tous les prisonniers politiques ;\nde mettre fin au harcèlement judiciaire des défenseurs des droits humains ;\nde respecter le droit international des droits humains."},
		{LeadIn: "Nous appelons en outre la communauté internationale à :", Demands: "soutenir les prisonniers politiques ;\nassister à leurs audiences et en rendre compte."},
	},
	Closing: "Veuillez agréer, Excellences, l’expression de notre haute considération.",
}

var (
	givenNames  = []string{"Amina", "Jakub", "Leyla", "Carl", "Ketevan", "Maiko", "Andrea", "Pavel", "Niranjan", "Constanza", "Ucha", "Baia", "Nicolas"}
	familyNames = []string{"Haddad", "Klepal", "Yunus", "Gershman", "Chachava", "Ichihara", "Ngombet", "Pšeja", "Sahoo", "Mazzina", "Nanuashvili", "Pataraia", "Tenzer", "Ludwig", "Hannig", "Bummel", "Blazevic"}
	countries   = []string{"AZ", "GE", "CZ", "FR", "US", "JP", "IN", "AR", "RS", "ZW", "CG", "CL", "BO", "RU", "NL"}
)

// seedEmail is the email of the i-th signatory the database is filled with;
// the sign scenario sends some of them again, as duplicates.
func seedEmail(i int) string { return "seed" + strconv.Itoa(i) + "@example.org" }

// seedSignatory is the i-th signatory: one in ten an organisation.
func seedSignatory(i int) models.NewSignature {
	sig := models.NewSignature{
		Kind: models.KindIndividual, Display: models.DisplayFull,
		Name:        givenNames[i%len(givenNames)] + " " + familyNames[(i/len(givenNames))%len(familyNames)],
		Affiliation: "Organisation " + strconv.Itoa(i%97), Country: countries[i%len(countries)], Email: seedEmail(i),
	}
	if i%10 == 0 {
		sig.Kind = models.KindOrganisation
		sig.Affiliation = "Civil Society Organisation " + strconv.Itoa(i)
	}
	return sig
}

// prepared is the letter prepare made, and what its coordinator needs to
// send it news.
type prepared struct {
	slug               string
	letterID, updateID int64  // the letter, and its update to send as news
	password           string // of coordinatorEmail
}

// coordinatorEmail is the address of the prepared letter's coordinator.
const coordinatorEmail = "coordinator@example.org"

// prepare creates the database at path with a coordinator and an open
// letter that lists signatures at once (no confirmation, no review), signed
// by n signatories, batch in each transaction, the first news of them
// asking for news, with a dated update to send them if any, and with its French
// translation published when french is set. It fills a SQLite file as a
// new one that no server reads yet (openNew), then opens it as the server
// does, which turns it to WAL; path may be a PostgreSQL database's URL too.
func prepare(ctx context.Context, path string, n, batch, news int, french bool) (prepared, error) {
	p, err := fill(ctx, path, n, batch, news, french)
	if err != nil {
		return p, err
	}
	if err := askForNews(ctx, path, p.letterID, news); err != nil {
		return p, fmt.Errorf("subscribe %d signatories to news: %w", news, err)
	}
	s, err := models.Open(ctx, path)
	if err != nil {
		return p, err
	}
	return p, s.Close()
}

// fill is prepare's filling of the new file.
func fill(ctx context.Context, path string, n, batch, news int, french bool) (p prepared, err error) {
	s, err := openNew(ctx, path)
	if err != nil {
		return p, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	p.password = rand.Text()
	u, err := s.CreateUserWithOrganisation(ctx, models.NewAccount{Email: coordinatorEmail, Name: "Load Coordinator", Password: p.password}, "Loadgen Coalition")
	if err != nil {
		return p, err
	}
	orgs, err := s.Organisations(ctx, u.ID)
	if err != nil {
		return p, err
	}
	if len(orgs) != 1 {
		return p, errors.New("the coordinator has no organisation")
	}
	l, err := s.CreateLetter(ctx, u.ID, orgs[0].ID, loadText)
	if err != nil {
		return p, err
	}
	st := models.DefaultLetterSettings()
	st.ConfirmEmail, st.ReviewIndividuals, st.ReviewOrganisations = false, false, false
	if err := s.UpdateLetterSettings(ctx, l, st); err != nil {
		return p, err
	}
	if err := s.SetLetterState(ctx, l, models.StateOpen); err != nil {
		return p, err
	}
	if french {
		if _, err := s.SaveTranslation(ctx, l, "fr", loadFrench, true); err != nil {
			return p, err
		}
	}
	if _, err := s.AddSignaturesInBatches(ctx, l.ID, n, batch, seedSignatory); err != nil {
		return p, err
	}
	p.slug, p.letterID = l.Slug, l.ID
	if news > 0 { // the update changes the letter's page: only for a run that sends it
		u, err := s.AddUpdate(ctx, l, time.Now(), "The letter was delivered today; we will tell you of any response.")
		if err != nil {
			return p, err
		}
		p.updateID = u.ID
	}
	return p, nil
}

// checkCount reads the letter's counter from the database, with the server
// stopped, and checks it counts from least (the signatories prepared and
// the signatures the server thanked for) to most (those and the valid
// signatures left unanswered): an acknowledged signature must not be lost,
// nor a refused one counted. The counter must count the rows stored. It
// returns the count.
func checkCount(ctx context.Context, path, slug string, least, most int64) (got int64, err error) {
	s, err := models.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	l, err := s.PublicLetter(ctx, slug)
	if err != nil {
		return 0, err
	}
	got = l.SignatureCount()
	statuses, err := s.StatusCounts(ctx, l.ID)
	if err != nil {
		return got, err
	}
	var rows int64
	for _, n := range statuses {
		rows += n
	}
	switch {
	case rows != got:
		return got, fmt.Errorf("the letter counts %d signatures, but %d are stored", got, rows)
	case got < least || got > most && least == most:
		return got, fmt.Errorf("the letter counts %d signatures, want %d (prepared and thanked for)", got, least)
	case got > most:
		return got, fmt.Errorf("the letter counts %d signatures, want %d to %d (prepared and thanked for, and valid ones left unanswered)", got, least, most)
	}
	return got, nil
}

// askForNews makes the first n signatories of the prepared letter ask for
// news by writing the column itself: the store keeps no request for news
// on a letter that does not prove its signers' addresses
// (models.Letter.OffersNews), and the prepared one confirms none, to be
// filled fast.
func askForNews(ctx context.Context, path string, letterID int64, n int) error {
	if n == 0 {
		return nil
	}
	driver := "sqlite3" // registered by the store's SQLite driver
	if models.IsPostgres(path) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, path)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "UPDATE signatures SET news = TRUE WHERE id IN "+
		"(SELECT id FROM signatures WHERE letter_id = $1 ORDER BY id LIMIT $2)", letterID, n)
	return errors.Join(err, db.Close())
}
