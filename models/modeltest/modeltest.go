// Package modeltest holds the fixtures the tests share: a store on a fresh
// database (a real SQLite file in a temporary directory, or a PostgreSQL
// database of its own when UNDERSIGNED_TEST_DB is set), a coordinator, and
// the joint letter of seed 003 with its dated list of 22 signatories.
package modeltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop test databases

	"undersigned/models"
	"undersigned/models/modeltest/suites"
)

// TestDBEnv names the environment variable that runs the tests on
// PostgreSQL: the URL of a server's maintenance database, such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable, on which
// every test creates a database of its own.
const TestDBEnv = "UNDERSIGNED_TEST_DB"

// Open returns a store on a fresh database: the one DSN gives.
func Open(t testing.TB) *models.Store {
	t.Helper()
	s, _ := OpenDSN(t)
	return s
}

// OpenDSN is Open that also returns the database's DSN, for tests that look
// behind the store's back with RawDB.
func OpenDSN(t testing.TB) (*models.Store, string) {
	t.Helper()
	dsn := DSN(t)
	s, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// FailInsertsNamed makes the database dsn names refuse, from now on, to
// insert a signature with this name, as a full disk or a broken constraint
// would: a trigger raises an error.
func FailInsertsNamed(t testing.TB, dsn, name string) {
	t.Helper()
	FailInsertsInto(t, dsn, "signatures", name)
}

// FailInsertsInto is FailInsertsNamed for another table with a name
// column, such as partners.
func FailInsertsInto(t testing.TB, dsn, table, name string) {
	t.Helper()
	stmts := []string{fmt.Sprintf(`CREATE TRIGGER fail_inserts_%[1]s BEFORE INSERT ON %[1]s WHEN NEW.name = '%[2]s'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`, table, name)}
	if models.IsPostgres(dsn) {
		stmts = []string{
			fmt.Sprintf(`CREATE FUNCTION fail_inserts_%[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.name = '%[2]s' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`, table, name),
			fmt.Sprintf(`CREATE TRIGGER fail_inserts_%[1]s BEFORE INSERT ON %[1]s FOR EACH ROW EXECUTE FUNCTION fail_inserts_%[1]s()`, table),
		}
	}
	db := RawDB(t, dsn)
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("make inserts fail: %v", err)
		}
	}
}

// DSN returns what -db or models.Open takes for a fresh, empty database:
// with UNDERSIGNED_TEST_DB set, the URL of a new PostgreSQL database, dropped
// when t ends; otherwise the path of a new SQLite file in t's temporary
// directory.
func DSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(TestDBEnv)
	if server == "" {
		return filepath.Join(t.TempDir(), "undersigned.db")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("%s: %v", TestDBEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 8)
	rand.Read(b)
	name := "undersigned_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	// Cleanups run last-added first: the database is dropped after the
	// stores and servers using it are closed; FORCE ends what is left.
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", TestDBEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// RawDB opens the database dsn names (what DSN returns) with database/sql,
// beside any store on it, for tests that look behind the store's back. It
// is closed when t ends.
func RawDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite3" // registered by SQLite's driver, which models uses
	if models.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s database: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenSQLite is Open on SQLite whatever UNDERSIGNED_TEST_DB says, and also
// returns the database file's path, for tests of SQLite itself that check
// what is stored behind the store's back.
func OpenSQLite(t testing.TB) (*models.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "undersigned.db")
	s, err := models.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// Password is the password of every fixture coordinator.
const Password = "correct horse battery staple"

// Coordinator creates a coordinator with their own organisation and returns
// them with the organisation's id.
func Coordinator(t testing.TB, s *models.Store, email, org string) (*models.User, int64) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUserWithOrganisation(ctx, models.NewAccount{Email: email, Name: "Coordinator " + org, Password: Password}, org)
	if err != nil {
		t.Fatalf("create coordinator: %v", err)
	}
	orgs, err := s.Organisations(ctx, u.ID)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organisations of new coordinator: %v %v", orgs, err)
	}
	return u, orgs[0].ID
}

// Azerbaijan is the text of seed 003: the ICDR and Forum 2000 letter on
// Azerbaijan, with its two groups of demands.
var Azerbaijan = models.LetterText{
	Title:      "Joint statement on the human rights situation in Azerbaijan",
	Summary:    "ICDR and Forum 2000 members demand the release of all political prisoners in Azerbaijan ahead of COP29 in Baku.",
	Initiators: "International Coalition for Democratic Renewal (ICDR)\nForum 2000 Foundation",
	Body:       "The International Coalition for Democratic Renewal (ICDR) and Forum 2000 Foundation are deeply concerned with the deteriorating human rights situation in Azerbaijan. For months, the government has escalated its repression of lawyers, journalists, activists, and human rights defenders, to the point where at present, the civil society is in a state of paralysis. The Azerbaijani government uses a variety of tactics, including fabricated charges, arbitrary arrests, and judicial harassment, to silence dissenting voices. Currently, there are more than 300 political prisoners in the country, who face harsh conditions, mistreatment, and even violence. The legal and judiciary systems do not possess independence which could alleviate the crackdown on civil society.\n\nAmong those facing this suffering are also members of the ICDR and the wider Forum 2000 network, such as Anar Mammadli, Bahruz Samadov, Akif Gurbanov, and Gubad Ibadoghlu. But beyond that, there are many others. Despite repeated condemnation from international human rights bodies, including the Council of Europe and the United Nations, Azerbaijan continues to disregard its obligations under international law. The government uses high-profile international events, like the upcoming November COP29 in Baku, to project an image of stability and progressivism, while continuing its repression of political dissent. The apparent indifference to international criticism is a testament to unwillingness to reverse this trend.",
	Groups: []models.DemandGroupText{
		{
			LeadIn: "We, the undersigned members of ICDR, express our deep solidarity with all the victims of repression in Azerbaijan and demand that the Azerbaijani authorities:",
			Demands: strings.Join([]string{
				"Unconditionally release and drop the charges against all political prisoners;",
				"Respect and abide by the international human rights law, and in particular review and align with international standards all legislation which unjustly targets, punishes or limits the civil society, media, and human rights defenders, and denies them access to support from abroad;",
				"Implement all parts and resolutions of the Mammadli Group of cases of the European Court of Human Rights;",
				"Establish an independent international working group to assess the practice of arbitrary detention and develop related prevention mechanism, as recommended by and in collaboration with the Parliamentary Assembly of the Council of Europe;",
				"Fully cooperate with the monitoring mechanisms of the United Nations, the Council of Europe, and other relevant bodies, especially those concerned with the prevention of torture.",
			}, "\n"),
		},
		{
			LeadIn: "We further call on the international community to:",
			Demands: strings.Join([]string{
				"Unwaveringly stand behind the political prisoners and civil society in Azerbaijan and support through any possible channel the implementation of the aforementioned demands;",
				"Push to be present in the court hearings of all political prisoners and report internationally on the proceedings;",
				"Provide any support possible, especially in terms of security, to the relatives of the politically imprisoned;",
				"For the Council of Europe’s Parliamentary Assembly and Committee of Ministers, to publicly declare the lack of Azerbaijan’s cooperation with the mechanisms of the Council of Europe. Furthermore, should no change of practice arrive, to continue to refuse the ratification of the credentials of Azerbaijani parliamentary delegation, to reassess accordingly the Action Plan for Azerbaijan 2022-2025 with clear threshold for human rights improvements, and call on the Secretary General to start an official inquiry into Azerbaijan’s implementation of the European Convention on Human Rights;",
				"For the representatives of the EU, its members states and the USA, to utilize the unique opportunity of the COP29 discussions to highlight internationally the human rights abuses in Azerbaijan, to press for a free and unrestricted civil society representation in this convention of global significance. We call on all delegates of the COP29 to publicly plead for the release of all political prisoners, condemn the human rights situation in Azerbaijan and the silencing of opposition voices that could otherwise have taken part in the COP29 discussions.",
			}, "\n"),
		},
	},
}

// Signatory is one entry of seed 003's list, as a signer would type it.
type Signatory struct {
	Name, Affiliation, Role, Country, Country2 string
}

// AzerbaijanSignatories is seed 003's list "as of November 11, 2024", in its order.
var AzerbaijanSignatories = []Signatory{
	{Name: "Igor Blazevic", Affiliation: "Prague Civil Society Centre", Role: "", Country: "CZ", Country2: ""},
	{Name: "Andreas Bummel", Affiliation: "Democracy Without Borders", Role: "", Country: "FR", Country2: ""},
	{Name: "Ketevan Chachava", Affiliation: "Center for Development and Democracy", Role: "", Country: "GE", Country2: ""},
	{Name: "Javier El-Hage", Affiliation: "Human Rights Foundation", Role: "", Country: "BO", Country2: "US"},
	{Name: "Stevan Dojcinovic", Affiliation: "KRIK", Role: "", Country: "RS", Country2: ""},
	{Name: "Carl Gershman", Affiliation: "", Role: "formerly NED", Country: "US", Country2: ""},
	{Name: "Sascha Hannig", Affiliation: "CAD", Role: "", Country: "CL", Country2: ""},
	{Name: "Maiko Ichihara", Affiliation: "Hitotsubashi University", Role: "", Country: "JP", Country2: ""},
	{Name: "Vladimir Kara-Murza", Affiliation: "Free Russia Foundation", Role: "", Country: "RU", Country2: ""},
	{Name: "Tinatin Khidasheli", Affiliation: "Civic IDEA", Role: "", Country: "GE", Country2: ""},
	{Name: "Jakub Klepal", Affiliation: "Forum 2000", Role: "", Country: "CZ", Country2: ""},
	{Name: "Jessica Ludwig", Affiliation: "George W. Bush Institute", Role: "", Country: "US", Country2: ""},
	{Name: "Nyaradzo Mashayamombe", Affiliation: "", Role: "", Country: "ZW", Country2: ""},
	{Name: "Constanza Mazzina", Affiliation: "Cescos", Role: "", Country: "AR", Country2: ""},
	{Name: "Ucha Nanuashvili", Affiliation: "Democracy Research Center (DRC)", Role: "", Country: "GE", Country2: ""},
	{Name: "Andrea Ngombet", Affiliation: "Sassoufit collective", Role: "", Country: "CG", Country2: ""},
	{Name: "Baia Pataraia", Affiliation: "Sapari", Role: "", Country: "GE", Country2: ""},
	{Name: "Pavel Pšeja", Affiliation: "CEVRO University", Role: "", Country: "CZ", Country2: ""},
	{Name: "Niranjan Sahoo", Affiliation: "Observer Research Foundation", Role: "", Country: "IN", Country2: ""},
	{Name: "Nicolas Tenzer", Affiliation: "CERAP", Role: "", Country: "FR", Country2: ""},
	{Name: "Leyla Yunus", Affiliation: "Institute for Peace and Democracy", Role: "", Country: "AZ", Country2: "NL"},
	{Name: "Arif Yunus", Affiliation: "Institute for Peace and Democracy", Role: "", Country: "AZ", Country2: "NL"},
}

// Sign adds sig to a letter with an email made from its position.
func (sig Signatory) Sign(t testing.TB, s *models.Store, letterID int64, n int) *models.Signature {
	t.Helper()
	in := models.NewSignature{Kind: models.KindIndividual, Name: sig.Name, Affiliation: sig.Affiliation, Role: sig.Role,
		Country: sig.Country, Country2: sig.Country2, Email: SignerEmail(n)}
	out, err := s.AddSignature(context.Background(), letterID, in, Mail)
	if err != nil {
		t.Fatalf("sign as %s: %v", sig.Name, err)
	}
	return out.Signature
}

// Mail is a confirmation email carrying the bare tokens, for tests that read
// the outbox.
func Mail(l *models.Letter, s *models.Signed) models.Message {
	return models.Message{To: s.Signature.Email, Subject: "Confirm: " + l.Title, Body: "confirm " + s.ConfirmToken + "\nmanage " + s.ManageToken}
}

// ListAtOnce sets a letter to list signatures as they come, without
// confirmation by email or review, as the tests of the list itself want.
func ListAtOnce(t testing.TB, s *models.Store, l *models.Letter) {
	t.Helper()
	ChangeSettings(t, s, l, func(st *models.LetterSettings) {
		st.ConfirmEmail, st.ReviewIndividuals, st.ReviewOrganisations = false, false, false
	})
}

// ChangeSettings changes some of a letter's settings and keeps the others
// as they are.
func ChangeSettings(t testing.TB, s *models.Store, l *models.Letter, change func(*models.LetterSettings)) {
	t.Helper()
	st := models.LetterSettings{Lang: l.Lang, ClosesOn: l.ClosesOn, Timezone: l.Timezone, Signers: l.Signers, Listed: l.Listed, ListOrder: l.ListOrder,
		ConfirmEmail: l.ConfirmEmail, ReviewIndividuals: l.ReviewIndividuals, ReviewOrganisations: l.ReviewOrganisations,
		AllowIndexing: l.AllowIndexing, RetentionDays: l.RetentionDays,
		InvitationsOnly: l.InvitationsOnly, SignerDomains: l.SignerDomainList(), ListHiddenUntil: l.ListHiddenUntil, SentOn: l.SentOn,
		MarkVerified: l.MarkVerified, SignatureGoal: goal(l.SignatureGoal), OrganisationGoal: goal(l.OrganisationGoal)}
	change(&st)
	if err := s.UpdateLetterSettings(context.Background(), l, st); err != nil {
		t.Fatalf("change settings: %v", err)
	}
}

// goal is a letter's goal as its settings give it: nil for none.
func goal(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// SignerEmail is the email of the n-th fixture signer.
func SignerEmail(n int) string {
	return "signer" + strconv.Itoa(n) + "@example.org"
}

// AzerbaijanListText is seed 003's list exactly as the letter prints it
// under "The signatories as of November 11, 2024": what a coordinator pastes
// into the import form.
const AzerbaijanListText = `- Igor Blazevic, Prague Civil Society Centre, Czechia
- Andreas Bummel, Democracy Without Borders, France
- Ketevan Chachava, Center for Development and Democracy, Georgia
- Javier El-Hage, Human Rights Foundation, Bolivia/USA
- Stevan Dojcinovic, KRIK, Serbia
- Carl Gershman, formerly NED, USA
- Sascha Hannig, CAD, Chile
- Maiko Ichihara, Hitotsubashi University, Japan
- Vladimir Kara-Murza, Free Russia Foundation, Russia
- Tinatin Khidasheli, Civic IDEA, Georgia
- Jakub Klepal, Forum 2000, Czechia
- Jessica Ludwig, George W. Bush Institute, USA
- Nyaradzo Mashayamombe, Zimbabwe
- Constanza Mazzina, Cescos, Argentina
- Ucha Nanuashvili, Democracy Research Center (DRC), Georgia
- Andrea Ngombet, Sassoufit collective, Republic of Congo
- Baia Pataraia, Sapari, Georgia
- Pavel Pšeja, CEVRO University, Czechia
- Niranjan Sahoo, Observer Research Foundation, India
- Nicolas Tenzer, CERAP, France
- Leyla Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands
- Arif Yunus, Institute for Peace and Democracy, Azerbaijan/Netherlands
`

// Tool returns the path of a command a test needs, or skips the test with
// how to install it, for the package's summary of skipped tests (see
// suites.Run); under CI=true, where .ci/run installs it, its absence fails
// the test instead.
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: %s is missing; .ci/run installs it (%s)", name, install)
		}
		suites.Skip(t, fmt.Sprintf("skipped: %s not found. To run this test: %s", name, install))
	}
	return path
}

// AzerbaijanFrench is the French translation of seed 003's letter: every
// part of the original, both demand groups with their demands one for one.
var AzerbaijanFrench = models.LetterText{
	Title:   "Déclaration commune sur la situation des droits humains en Azerbaïdjan",
	Summary: "Les membres de l’ICDR et de Forum 2000 demandent la libération de tous les prisonniers politiques en Azerbaïdjan avant la COP29 à Bakou.",
	Body: "La Coalition internationale pour le renouveau démocratique (ICDR) et la Fondation Forum 2000 sont profondément préoccupées par la dégradation de la situation des droits humains en Azerbaïdjan. Depuis des mois, le gouvernement intensifie la répression contre les avocats, les journalistes, les militants et les défenseurs des droits humains, au point que la société civile est aujourd’hui paralysée. On compte actuellement plus de 300 prisonniers politiques dans le pays.\n\n" +
		"Parmi les personnes qui subissent cette répression figurent des membres de l’ICDR et du réseau Forum 2000, tels qu’Anar Mammadli, Bahruz Samadov, Akif Gurbanov et Gubad Ibadoghlu. Le gouvernement se sert d’événements internationaux de premier plan, comme la COP29 de novembre à Bakou, pour projeter une image de stabilité tout en poursuivant la répression.",
	Groups: []models.DemandGroupText{
		{
			LeadIn: "Nous, membres soussignés de l’ICDR, exprimons notre profonde solidarité avec toutes les victimes de la répression en Azerbaïdjan et demandons aux autorités azerbaïdjanaises :",
			Demands: strings.Join([]string{
				"de libérer sans condition tous les prisonniers politiques et d’abandonner les poursuites engagées contre eux ;",
				"de respecter le droit international des droits humains et de mettre en conformité avec les normes internationales toute législation qui cible, punit ou restreint injustement la société civile, les médias et les défenseurs des droits humains ;",
				"d’exécuter tous les volets et résolutions du groupe d’affaires Mammadli de la Cour européenne des droits de l’homme ;",
				"d’établir un groupe de travail international indépendant chargé d’évaluer la pratique de la détention arbitraire, comme le recommande l’Assemblée parlementaire du Conseil de l’Europe ;",
				"de coopérer pleinement avec les mécanismes de suivi des Nations unies, du Conseil de l’Europe et des autres organes compétents, en particulier ceux chargés de la prévention de la torture.",
			}, "\n"),
		},
		{
			LeadIn: "Nous appelons en outre la communauté internationale :",
			Demands: strings.Join([]string{
				"à soutenir sans faille les prisonniers politiques et la société civile d’Azerbaïdjan ;",
				"à demander à assister aux audiences de tous les prisonniers politiques et à rendre compte des procédures ;",
				"à apporter tout le soutien possible, notamment en matière de sécurité, aux proches des prisonniers politiques ;",
				"pour l’Assemblée parlementaire et le Comité des ministres du Conseil de l’Europe, à déclarer publiquement le manque de coopération de l’Azerbaïdjan avec les mécanismes du Conseil de l’Europe ;",
				"pour les représentants de l’UE, de ses États membres et des États-Unis, à saisir l’occasion de la COP29 pour dénoncer les violations des droits humains en Azerbaïdjan et plaider pour la libération de tous les prisonniers politiques.",
			}, "\n"),
		},
	},
}

// AzerbaijanArabic is the Arabic translation of seed 003's letter, whole.
var AzerbaijanArabic = models.LetterText{
	Title:   "بيان مشترك بشأن حالة حقوق الإنسان في أذربيجان",
	Summary: "يطالب أعضاء التحالف الدولي للتجديد الديمقراطي ومنتدى 2000 بالإفراج عن جميع السجناء السياسيين في أذربيجان قبل مؤتمر COP29 في باكو.",
	Body: "يعرب التحالف الدولي للتجديد الديمقراطي (ICDR) ومؤسسة منتدى 2000 عن قلقهما العميق إزاء تدهور حالة حقوق الإنسان في أذربيجان. فمنذ أشهر، صعّدت الحكومة قمعها للمحامين والصحفيين والناشطين والمدافعين عن حقوق الإنسان، حتى باتت منظمات المجتمع المدني في حالة شلل. ويوجد حاليًا أكثر من 300 سجين سياسي في البلاد.\n\n" +
		"ومن بين من يعانون هذا القمع أعضاء في التحالف وفي شبكة منتدى 2000، مثل أنار محمدلي وبهروز صمدوف وعاكف قربانوف وقباد عبد أوغلو. وتستغل الحكومة الأحداث الدولية الكبرى، مثل مؤتمر COP29 في باكو في تشرين الثاني/نوفمبر، لتقديم صورة من الاستقرار بينما تواصل قمع المعارضة.",
	Groups: []models.DemandGroupText{
		{
			LeadIn: "نحن، الأعضاء الموقعين أدناه في التحالف، نعرب عن تضامننا العميق مع جميع ضحايا القمع في أذربيجان، ونطالب السلطات الأذربيجانية بما يلي:",
			Demands: strings.Join([]string{
				"الإفراج غير المشروط عن جميع السجناء السياسيين وإسقاط التهم الموجهة إليهم؛",
				"احترام القانون الدولي لحقوق الإنسان ومواءمة جميع التشريعات التي تستهدف المجتمع المدني ووسائل الإعلام والمدافعين عن حقوق الإنسان مع المعايير الدولية؛",
				"تنفيذ جميع أحكام وقرارات مجموعة قضايا محمدلي الصادرة عن المحكمة الأوروبية لحقوق الإنسان؛",
				"إنشاء فريق عمل دولي مستقل لتقييم ممارسة الاحتجاز التعسفي، على النحو الذي أوصت به الجمعية البرلمانية لمجلس أوروبا؛",
				"التعاون الكامل مع آليات الرصد التابعة للأمم المتحدة ومجلس أوروبا وسائر الهيئات المعنية، ولا سيما تلك المعنية بمنع التعذيب.",
			}, "\n"),
		},
		{
			LeadIn: "وندعو المجتمع الدولي كذلك إلى:",
			Demands: strings.Join([]string{
				"الوقوف بثبات إلى جانب السجناء السياسيين والمجتمع المدني في أذربيجان؛",
				"السعي إلى حضور جلسات محاكمة جميع السجناء السياسيين والإبلاغ دوليًا عن مجرياتها؛",
				"تقديم كل دعم ممكن، ولا سيما في مجال الأمن، لأقارب السجناء السياسيين؛",
				"أن تعلن الجمعية البرلمانية ولجنة الوزراء في مجلس أوروبا علنًا عدم تعاون أذربيجان مع آليات المجلس؛",
				"أن يغتنم ممثلو الاتحاد الأوروبي ودوله الأعضاء والولايات المتحدة فرصة مؤتمر COP29 لتسليط الضوء على انتهاكات حقوق الإنسان في أذربيجان والمطالبة بالإفراج عن جميع السجناء السياسيين.",
			}, "\n"),
		},
	},
}
