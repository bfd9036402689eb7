package models

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/language"
	"gorm.io/gorm"
)

// Limits of one import. A coalition's list collected by email runs to a few
// hundred names; the byte cap stays under the site's request limit (256 KiB)
// with room for the rest of the form, so a larger list is imported in parts.
const (
	ImportMaxRows  = 5000
	ImportMaxBytes = 200 << 10
)

// ImportFormat is how an import's source is written.
type ImportFormat string

// The formats of an import.
const (
	ImportLines ImportFormat = "lines" // "Name, Affiliation, Country", one signatory a line
	ImportCSV   ImportFormat = "csv"   // a spreadsheet's CSV with a header row
)

// Why a row cannot be read, beside the rules of a signature it breaks
// (see ImportRow.check); the handlers show the catalogue's
// "import.problem.<code>" for them.
const (
	ProblemUnknownCountry   = "unknown_country" // Params["country"] is the text not recognised
	ProblemTooManyCountries = "too_many_countries"
	ProblemBadRecord        = "bad_record" // a CSV record that cannot be read
)

// Errors about an import as a whole.
var (
	ErrImportEmpty    = errors.New("import: no signatories in the source")
	ErrImportTooLarge = errors.New("import: more rows or bytes than one import takes")
	ErrImportHeader   = errors.New("import: the CSV header names no name or no country column")
	ErrImportInvalid  = errors.New("import: some rows cannot be imported")
)

// ImportRow is one signatory of an import as parsed, or the reason it
// cannot be imported.
type ImportRow struct {
	Line        int    // line of the source where the row starts
	Source      string // the line as written, for the preview
	Name        string
	Affiliation string
	Role        string
	Country     string // ISO 3166-1 alpha-2
	Country2    string
	Problem     *Invalid // the first rule the row breaks, if any
	Duplicate   bool     // repeats an earlier row, or a signature the letter has: skipped
}

// Importable reports whether the row will be added.
func (r *ImportRow) Importable() bool { return r.Problem == nil && !r.Duplicate }

// ParseImport reads an import's source. A row that cannot be imported comes
// back with its Problem; an error says the source as a whole cannot be read.
// For an organisation, the entry's name is its Affiliation, as on the
// signing form, and Name stays empty: nobody signed on its behalf here.
// Countries are recognised by their names in English and in langs (BCP 47
// tags: the languages of the interface) as well as by ISO code.
func ParseImport(format ImportFormat, src string, kind SignatureKind, langs ...string) ([]ImportRow, error) {
	if len(src) > ImportMaxBytes {
		return nil, ErrImportTooLarge
	}
	var rows []ImportRow
	var err error
	if format == ImportCSV {
		rows, err = parseImportCSV(src, kind, langs)
	} else {
		rows, err = parseImportLines(src, kind, langs)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrImportEmpty
	}
	return rows, nil
}

// trimListMarker drops what a list pasted from a letter or a document
// starts its lines with: "- ", "• ", "1. ".
func trimListMarker(line string) string {
	for _, m := range []string{"- ", "– ", "— ", "• ", "* ", "· "} {
		if strings.HasPrefix(line, m) {
			return strings.TrimSpace(line[len(m):])
		}
	}
	digits := strings.IndexFunc(line, func(r rune) bool { return r < '0' || r > '9' })
	if digits > 0 && digits+1 < len(line) && (line[digits] == '.' || line[digits] == ')') && line[digits+1] == ' ' {
		return strings.TrimSpace(line[digits+2:])
	}
	return line
}

// commas are the commas lists are written with: Latin, Arabic and full-width.
var commas = strings.NewReplacer("،", ",", "，", ",")

func parseImportLines(src string, kind SignatureKind, langs []string) ([]ImportRow, error) {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	var rows []ImportRow
	for i, line := range strings.Split(src, "\n") {
		line = trimListMarker(strings.TrimSpace(line))
		if line == "" {
			continue
		}
		if len(rows) == ImportMaxRows {
			return nil, ErrImportTooLarge
		}
		row := ImportRow{Line: i + 1, Source: strings.ToValidUTF8(line, "\uFFFD")}
		parts := strings.Split(commas.Replace(line), ",")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		if len(parts) < 2 {
			parts = append(parts, "") // no country: the rules say so
		}
		// The country is the last part, or the last two when together they
		// name one ("Bonaire, Sint Eustatius and Saba").
		countryParts := 1
		if len(parts) > 2 {
			if _, ok := LookupCountry(strings.Join(parts[len(parts)-2:], ", "), langs...); ok {
				countryParts = 2
			}
		}
		before := parts[:len(parts)-countryParts]
		country := strings.Join(parts[len(parts)-countryParts:], ", ")
		if kind == KindOrganisation {
			row.Affiliation = joinNonEmpty(before, ", ")
		} else {
			row.Name, row.Affiliation = before[0], joinNonEmpty(before[1:], ", ")
		}
		row.check(kind, country, langs)
		rows = append(rows, row)
	}
	return rows, nil
}

// joinNonEmpty joins the parts that are not empty as the line wrote them.
func joinNonEmpty(parts []string, sep string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// importColumns are the columns an import's CSV may have; others are ignored.
var importColumns = []string{"name", "affiliation", "role", "country", "country2"}

func parseImportCSV(src string, kind SignatureKind, langs []string) ([]ImportRow, error) {
	var rows []ImportRow
	header := func(has func(string) bool) bool {
		return has("country") && (has("name") || (kind == KindOrganisation && has("affiliation")))
	}
	err := eachCSVRecord(src, importColumns, header, func(rec csvRecord) {
		if rec.Bad {
			rows = append(rows, ImportRow{Line: rec.Line, Problem: &Invalid{Code: ProblemBadRecord}})
			return
		}
		row := ImportRow{Line: rec.Line, Source: rec.source(), Name: rec.cell("name"), Affiliation: rec.cell("affiliation"), Role: rec.cell("role")}
		if kind == KindOrganisation && row.Affiliation == "" {
			row.Name, row.Affiliation = "", row.Name // the organisation written in the name column
		}
		country := rec.cell("country")
		if c2 := rec.cell("country2"); c2 != "" {
			country += "/" + c2
		}
		row.check(kind, country, langs)
		rows = append(rows, row)
	})
	return rows, err
}

// csvRecord is one record of an import's CSV: its cells by column, or a
// record that cannot be read (Bad).
type csvRecord struct {
	Line  int // the record's first line in the file, as an editor numbers it
	Bad   bool
	cells []string
	col   map[string]int
}

// cell is the trimmed text of the named column, or "".
func (r csvRecord) cell(name string) string {
	if i, ok := r.col[name]; ok && i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

// source is the record as a preview shows it.
func (r csvRecord) source() string {
	return strings.ToValidUTF8(strings.Join(r.cells, ", "), "\uFFFD")
}

// eachCSVRecord reads an import's CSV as a spreadsheet saves it (a
// byte-order mark, "," ";" or tabs between cells, a header row naming the
// columns, empty rows at the end) and calls each with every record that is
// not empty, or that cannot be read. Of the header's names, those in
// columns count (the first of each; case and spaces do not matter), and
// header says whether they are enough. The errors are ErrImportEmpty,
// ErrImportHeader and, past ImportMaxRows records, ErrImportTooLarge.
func eachCSVRecord(src string, columns []string, header func(has func(string) bool) bool, each func(csvRecord)) error {
	src = strings.TrimPrefix(src, "\ufeff")
	r := csv.NewReader(strings.NewReader(src))
	r.FieldsPerRecord = -1
	r.Comma = csvSeparator(src)
	names, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return ErrImportEmpty
		}
		return ErrImportHeader
	}
	col := map[string]int{}
	for i, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		if _, seen := col[name]; slices.Contains(columns, name) && !seen {
			col[name] = i
		}
	}
	if !header(func(name string) bool { _, ok := col[name]; return ok }) {
		return ErrImportHeader
	}
	for n := 0; ; n++ {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if n == ImportMaxRows {
			return ErrImportTooLarge
		}
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return err
			}
			each(csvRecord{Line: perr.StartLine, Bad: true})
			continue
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			n-- // an empty row, as spreadsheets leave at the end
			continue
		}
		line, _ := r.FieldPos(0)
		each(csvRecord{Line: line, cells: cells, col: col})
	}
}

// csvSeparator guesses the separator from the header line: spreadsheets set
// to many European languages write ";", some write tabs.
func csvSeparator(src string) rune {
	header, _, _ := strings.Cut(src, "\n")
	sep, most := ',', strings.Count(header, ",")
	for _, r := range []rune{';', '\t'} {
		if n := strings.Count(header, string(r)); n > most {
			sep, most = r, n
		}
	}
	return sep
}

// check normalises a parsed row's text and country as the signing form
// does, and records the first problem it finds: a country it cannot read,
// or a rule of a signature (see NewSignature) the row breaks. A row has no
// email or display of its own, and an organisation's row no signer's name.
func (r *ImportRow) check(kind SignatureKind, country string, langs []string) {
	r.Name, r.Affiliation, r.Role = NormalizeText(r.Name), NormalizeText(r.Affiliation), NormalizeText(r.Role)
	var unread *Invalid
	r.Country, r.Country2, unread = ParseCountries(country, langs...)
	sig := NewSignature{Kind: kind, Name: r.Name, Affiliation: r.Affiliation, Role: r.Role, Country: r.Country, Country2: r.Country2}
	except := []string{"Email", "Display"}
	if kind == KindOrganisation && r.Name == "" {
		except = append(except, "Name")
	}
	r.Problem = unread
	// A rule of the text comes first; about the country, what was written
	// and not understood says more than that there is none.
	if invalid := validateExcept(sig, except...); len(invalid) > 0 && (unread == nil || !strings.HasPrefix(invalid[0].Field, "country")) {
		r.Problem = &invalid[0]
	}
}

// ParseCountries reads a country field as lists write it: one country, or
// two joined by a slash ("Bolivia/USA"), each by name (in English or in
// langs), alternative name or ISO code. It returns the alpha-2 codes, or why
// it cannot read them: a country it does not recognise (naming the text) or
// more than two. Whether they make a valid signatory's countries (none, the
// same twice) is for the rules of a signature to say.
func ParseCountries(field string, langs ...string) (country, country2 string, problem *Invalid) {
	var codes []string
	for _, part := range strings.Split(field, "/") {
		part = NormalizeText(part)
		if part == "" {
			continue
		}
		code, ok := LookupCountry(part, langs...)
		if !ok {
			return "", "", &Invalid{Field: "country", Code: ProblemUnknownCountry,
				Params: map[string]any{"country": strings.ToValidUTF8(part, "\uFFFD")}}
		}
		codes = append(codes, code)
	}
	switch len(codes) {
	case 0:
		return "", "", nil
	case 1:
		return codes[0], "", nil
	case 2:
		return codes[0], codes[1], nil
	}
	return "", "", &Invalid{Field: "country", Code: ProblemTooManyCountries}
}

// LookupCountry finds a country by its English name, an alternative name
// people write ("USA", "Holland", "Burma", "Ivory Coast"), its ISO 3166-1
// alpha-2 or alpha-3 code, or its name in one of langs ("Allemagne",
// "Германия"), ignoring case, diacritics, dots and hyphens. It returns the
// alpha-2 code.
func LookupCountry(name string, langs ...string) (string, bool) {
	key := countryKey(name)
	if code, ok := countryByKey[key]; ok {
		return code, true
	}
	for _, lang := range langs {
		if code, ok := countryKeysIn(lang)[key]; ok {
			return code, true
		}
	}
	return "", false
}

// countryKeysByLang caches countryKeysIn's maps, one per language.
var countryKeysByLang sync.Map // language → map[string]string

// countryKeysIn finds a country's alpha-2 code by its folded name in a
// language, as CountriesIn names it.
func countryKeysIn(lang string) map[string]string {
	if m, ok := countryKeysByLang.Load(lang); ok {
		return m.(map[string]string)
	}
	m := map[string]string{}
	for _, c := range CountriesIn(lang) {
		m[countryKey(c.Name)] = c.Code
	}
	countryKeysByLang.Store(lang, m)
	return m
}

// countryKey folds a country's name for LookupCountry: "the Netherlands",
// "U.S.A." and "Côte d’Ivoire" become "netherlands", "usa" and "cote d'ivoire".
func countryKey(name string) string {
	k := SortKey(NormalizeText(name))
	k = strings.NewReplacer("’", "'", "`", "'", ".", "", "-", " ", "&", " and ", "(", " ", ")", " ", ",", " ").Replace(k)
	k = strings.Join(strings.Fields(k), " ")
	k = strings.TrimPrefix(k, "the ")
	if rest, ok := strings.CutPrefix(k, "st "); ok {
		k = "saint " + rest
	}
	return k
}

// countryAliases are names people write for countries whose ISO short name
// they differ from, by alpha-2 code.
var countryAliases = map[string][]string{
	"BO": {"Plurinational State of Bolivia"},
	"BA": {"Bosnia", "Bosnia-Herzegovina"},
	"BN": {"Brunei Darussalam"},
	"BS": {"The Bahamas"},
	"CD": {"DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa", "Congo Kinshasa"},
	"CG": {"Congo", "Republic of Congo", "Congo-Brazzaville", "Congo Brazzaville", "Congo Republic"},
	"CI": {"Ivory Coast"},
	"CV": {"Cabo Verde"},
	"CZ": {"Czech Republic"},
	"FK": {"Falklands"},
	"FM": {"Federated States of Micronesia"},
	"FO": {"Faroes"},
	"GB": {"UK", "U.K.", "Great Britain", "Britain", "United Kingdom of Great Britain and Northern Ireland"},
	"GM": {"The Gambia"},
	"HK": {"Hong Kong SAR"},
	"IR": {"Islamic Republic of Iran"},
	"KG": {"Kyrgyz Republic"},
	"KP": {"DPRK", "Democratic People's Republic of Korea"},
	"KR": {"Republic of Korea", "Korea, Republic of"},
	"LA": {"Lao PDR", "Lao People's Democratic Republic", "Lao"},
	"MD": {"Republic of Moldova"},
	"MK": {"Macedonia", "Republic of North Macedonia", "FYROM"},
	"MM": {"Burma"},
	"MO": {"Macau"},
	"NL": {"Holland", "The Netherlands", "Kingdom of the Netherlands"},
	"PS": {"State of Palestine", "Palestinian Territories", "Occupied Palestinian Territory"},
	"RU": {"Russian Federation"},
	"SK": {"Slovak Republic"},
	"ST": {"Sao Tome"},
	"SY": {"Syrian Arab Republic"},
	"SZ": {"Swaziland", "eSwatini", "Kingdom of Eswatini"},
	"TL": {"East Timor"},
	"TR": {"Turkey", "Turkiye"},
	"TW": {"Taiwan, Province of China", "Chinese Taipei"},
	"TZ": {"United Republic of Tanzania"},
	"AE": {"UAE", "Emirates"},
	"US": {"USA", "U.S.", "U.S.A.", "United States of America", "America"},
	"VA": {"Holy See", "Vatican"},
	"VE": {"Bolivarian Republic of Venezuela"},
	"VN": {"Viet Nam"},
	"XK": {"Republic of Kosovo"},
}

// countryByKey finds a country's alpha-2 code by folded name, alternative
// name or code. Names win over codes: no name is three letters long, but a
// code must never shadow one.
var countryByKey = func() map[string]string {
	m := map[string]string{}
	add := func(key, code string) {
		if _, taken := m[key]; !taken {
			m[key] = code
		}
	}
	for _, c := range countries {
		add(countryKey(c.Name), c.Code)
	}
	for code, names := range countryAliases {
		for _, n := range names {
			add(countryKey(n), code)
		}
	}
	for _, c := range countries {
		add(strings.ToLower(c.Code), c.Code)
		if r, err := language.ParseRegion(c.Code); err == nil {
			add(strings.ToLower(r.ISO3()), c.Code)
		}
	}
	return m
}()

// importKey is what two entries must share to be the same signatory: the
// folded name (an organisation's own name) and the first country.
func importKey(kind SignatureKind, name, affiliation, country string) string {
	if kind == KindOrganisation {
		name = affiliation
	}
	return strings.Join(strings.Fields(SortKey(name)), " ") + "\x00" + country
}

// markDuplicates flags the rows that repeat an earlier row or one of seen.
func markDuplicates(kind SignatureKind, rows []ImportRow, seen map[string]bool) {
	for i := range rows {
		r := &rows[i]
		if r.Problem != nil {
			continue
		}
		key := importKey(kind, r.Name, r.Affiliation, r.Country)
		r.Duplicate = seen[key]
		seen[key] = true
	}
}

// signatoryKeys returns the importKey of every signature of a letter that is
// or may become listed: a rejected one does not stop the coordinators from
// adding that name themselves.
func signatoryKeys(db *gorm.DB, letterID int64) (map[string]bool, error) {
	rows, err := db.Model(&Signature{}).Select("kind", "name", "affiliation", "country").
		Where("letter_id = ? AND status <> ?", letterID, StatusRejected).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var kind SignatureKind
		var name, affiliation, country string
		if err := rows.Scan(&kind, &name, &affiliation, &country); err != nil {
			return nil, err
		}
		keys[importKey(kind, name, affiliation, country)] = true
	}
	return keys, rows.Err()
}

// MarkImportDuplicates flags, for a preview, the rows that repeat an earlier
// row or a signatory the letter already has. The caller has authorised
// access to l.
func (s *Store) MarkImportDuplicates(ctx context.Context, l *Letter, kind SignatureKind, rows []ImportRow) error {
	keys, err := signatoryKeys(s.read.WithContext(ctx), l.ID)
	if err != nil {
		return err
	}
	markDuplicates(kind, rows, keys)
	return nil
}

// ImportResult is what an import did.
type ImportResult struct {
	Added   int
	Skipped int // duplicates
}

// ImportSignatures adds signatories collected elsewhere, all in one
// transaction or none: ErrImportInvalid when a row has a problem, and
// ErrLetterNotOpen, ErrLetterClosed or ErrKindNotAllowed as for a signer.
// Duplicates, checked again here, are skipped. The coordinators entered
// these names themselves, so they count as reviewed and confirmed: they are
// listed at once, whatever the letter's confirmation and review settings,
// and shown as display says. They have no email and no private link; each
// gets a unique "import:" email key for the one-signature-per-email index.
// They are stored in the given order, so that a list in signing order reads
// as the source did, and one audit entry records the import. Signatures
// gathered offline name where (offline: OfflinePaper or an event's name;
// "" for a list collected online), and are counted apart on the letter
// (OfflineCounts). The caller has authorised access to l.
func (s *Store) ImportSignatures(ctx context.Context, l *Letter, userID int64, kind SignatureKind, display Display, offline string,
	rows []ImportRow) (ImportResult, error) {
	var res ImportResult
	for i := range rows {
		if rows[i].Problem != nil {
			return res, ErrImportInvalid
		}
	}
	if display == "" {
		display = DisplayFull
	}
	now := s.now()
	err := s.transaction(ctx, func(tx *gorm.DB) error {
		var cur Letter
		if err := tx.Take(&cur, l.ID).Error; err != nil {
			return notFound(err)
		}
		if err := cur.AcceptsSignatures(now); err != nil {
			return err
		}
		if !cur.AllowsKind(kind) {
			return ErrKindNotAllowed
		}
		keys, err := signatoryKeys(tx, l.ID)
		if err != nil {
			return err
		}
		markDuplicates(kind, rows, keys)
		var sigs []Signature
		for i := range rows {
			r := &rows[i]
			if !r.Importable() {
				res.Skipped++
				continue
			}
			token, _ := NewToken()
			sortName := DefaultSortName(kind, r.Name)
			if kind == KindOrganisation {
				sortName = DefaultSortName(kind, r.Affiliation)
			}
			sig := Signature{LetterID: l.ID, Kind: kind, Status: StatusListed, Display: display, Name: r.Name,
				Affiliation: r.Affiliation, Role: r.Role, Country: r.Country, Country2: r.Country2,
				EmailKey: importedKeyPrefix + token, SortName: sortName, Revision: cur.Revision, Lang: cur.Lang, CreatedAt: now,
				OfflineSource: offline}
			sig.SortKey = sig.listKey()
			sigs = append(sigs, sig)
		}
		res.Added = len(sigs)
		if res.Added == 0 {
			return nil
		}
		if err := tx.CreateInBatches(sigs, 200).Error; err != nil {
			return fmt.Errorf("insert imported signatures: %w", err)
		}
		if err := s.countNew(tx, sigs); err != nil {
			return err
		}
		return s.audit(tx, l.ID, &userID, nil, AuditImport, strconv.Itoa(res.Added))
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// CSVLooksLikeText reports whether an uploaded file is text a CSV reader
// can take: UTF-8 without NUL bytes (a spreadsheet's binary file is not).
func CSVLooksLikeText(b []byte) bool {
	return utf8.Valid(b) && !bytes.ContainsRune(b, 0)
}

// importedKeyPrefix starts the email key of a signature added by the
// coordinators: it has no email, and the key only keeps it unique.
const importedKeyPrefix = "import:"

// AddedByCoordinators reports whether the coordinators added the signature,
// collected elsewhere, rather than its signer through the form.
func (s Signature) AddedByCoordinators() bool {
	return strings.HasPrefix(s.EmailKey, importedKeyPrefix)
}
