package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Malformed values of every setting, by flag: each must stop the server.
// A new setting needs its own here, or TestMalformedSettingStopsTheServer
// fails. The passwords must not appear in what the server prints.
var malformed = map[string][]string{
	"addr":                {"8080", "127.0.0.1:99999", "127.0.0.1:http", "letters example:8080"},
	"db":                  {"mysql://u:s3cret@db.example.org/letters", "postgres://u:s3cret@[::1", "u.db?mode=memory", "u.db#1"},
	"base-url":            {"letters.example.org", "ftp://letters.example.org", "https://", "https://letters.example.org/?lang=fr"},
	"smtp-url":            {"mail.example.org:587", "http://u:s3cret@mail.example.org", "smtp://"},
	"mail-from":           {"letters", "Letters <letters@example.org>", "letters@example.org\r\nBcc: all@example.org"},
	"smtp-connections":    {"lots", "0", "65"},
	"mail-retry":          {"30", "0s", "-1s", "2h"},
	"lang":                {"de", "english"},
	"client-key":          {"short secret"},
	"min-sign-time":       {"2 seconds", "-1s", "2m"},
	"sign-burst":          {"10", "0/1m", "10/0s", "10/forever", "ten/1m"},
	"sign-sustained":      {"60/-1h"},
	"sign-overall":        {"120 per hour"},
	"resend-limit":        {"-3/1h"},
	"resend-client-limit": {"60/"},
	"login-limit":         {"10/15 minutes"},
	"exports-per-client":  {"many", "0", "1001"},
	"exports-overall":     {"-1"},
	"trusted-proxies":     {"proxy.example.org", "10.0.0.0/33", "10.0.0.1,"},
	"log-requests":        {"everything", "ALL", "errors,slow"},
	"slow-request":        {"1 second", "0s", "5ms", "2m"},
	"pprof":               {"6060", ":6060", "0.0.0.0:6060", "192.0.2.1:6060", "letters.example.org:6060"},

	"invitation-reminder-days": {"3 days", "-1", "61"},

	"news-rate": {"600/min", "0", "60001"},
}

// Good values of every setting, by flag, each other than its default.
var good = map[string]string{
	"base-url":            "http://localhost",
	"smtp-url":            "smtp://127.0.0.1:1",
	"mail-from":           "letters@example.org",
	"smtp-connections":    "2",
	"mail-retry":          "1m",
	"lang":                "es",
	"client-key":          "a secret of more than sixteen bytes",
	"min-sign-time":       "0s",
	"sign-burst":          "100/1m",
	"sign-sustained":      "100/1m",
	"sign-overall":        "100/1m",
	"resend-limit":        "100/1m",
	"resend-client-limit": "100/1m",
	"login-limit":         "100/1m",
	"exports-per-client":  "2",
	"exports-overall":     "8",
	"trusted-proxies":     "127.0.0.1, 10.0.0.0/8",
	"log-requests":        "all",
	"slow-request":        "250ms",
	"pprof":               "127.0.0.1:0",

	"invitation-reminder-days": "7",

	"news-rate": "60",
}

// envTwin is the environment variable of the setting flag.
func envTwin(flag string) string {
	return "UNDERSIGNED_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// listedFlags are the flags the binary lists when asked for help with
// args, each with its description: the flag set itself, as an operator
// sees it.
func listedFlags(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, _ := exec.Command(binary, append(args, "-h")...).CombinedOutput()
	flags := map[string]string{}
	var name string
	for line := range strings.Lines(string(out)) {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			name = m[1]
			flags[name] = ""
		} else if name != "" {
			flags[name] += strings.TrimSpace(line) + " "
		}
	}
	if len(flags) == 0 {
		t.Fatalf("%v -h lists no flags: %s", args, out)
	}
	return flags
}

var flagLine = regexp.MustCompile(`^  -([a-z-]+)`)

// withoutSettings is this process's environment without UNDERSIGNED_
// variables, so that none of the shell's reaches a server under test.
func withoutSettings() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "UNDERSIGNED_") {
			env = append(env, kv)
		}
	}
	return env
}

// `undersigned -h` lists every setting with its environment variable and
// its default; the subcommands list -db with UNDERSIGNED_DB.
func TestHelpListsEverySettingWithItsVariable(t *testing.T) {
	for flag, text := range listedFlags(t) {
		if !strings.Contains(text, "(env "+envTwin(flag)) || !strings.Contains(text, "default") {
			t.Errorf("-h says of -%s %q: want its variable, (env %s), and its default", flag, text, envTwin(flag))
		}
	}
	for _, cmd := range [][]string{{"user", "add"}, {"backup"}} {
		text, ok := listedFlags(t, cmd...)["db"]
		if !ok || !strings.Contains(text, "(env UNDERSIGNED_DB)") || !strings.Contains(text, `(default "undersigned.db")`) {
			t.Errorf("%s -h lists -db as %q: want it, with (env UNDERSIGNED_DB) and its default", strings.Join(cmd, " "), text)
		}
	}
}

// Every malformed value of every setting, given in the environment, stops
// the server at start, before it opens its database or listens, with a
// message that names the variable and the flag and gives an example of a
// good value; a URL's password is never printed.
func TestMalformedSettingStopsTheServer(t *testing.T) {
	for flag := range listedFlags(t) {
		if len(malformed[flag]) == 0 {
			t.Errorf("-%s has no malformed values in this test: add some to malformed", flag)
		}
		for _, value := range malformed[flag] {
			t.Run(flag+"="+value, func(t *testing.T) {
				dir := t.TempDir()
				out, err := runBriefly(t, dir, envTwin(flag)+"="+value)
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() < 1 {
					t.Fatalf("%s=%q: the server did not stop by itself (%v); it printed:\n%s", envTwin(flag), value, err, out)
				}
				for _, want := range []string{envTwin(flag), "-" + flag, "for example"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s=%q: the server says %q; want it to say %q", envTwin(flag), value, out, want)
					}
				}
				if strings.Contains(out, "listening") || strings.Contains(out, "s3cret") {
					t.Errorf("%s=%q: the server listened, or printed a password: %s", envTwin(flag), value, out)
				}
				if files, _ := os.ReadDir(dir); len(files) > 0 {
					t.Errorf("%s=%q: the server made %s in its folder; want it stopped before opening its database", envTwin(flag), value, files[0].Name())
				}
			})
		}
	}
}

// runBriefly runs the server in dir with the settings variables of env
// and a database there, and returns what it printed once it stopped, or
// once 10 seconds had passed, when it kills it.
func runBriefly(t *testing.T, dir string, env ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = dir
	cmd.Env = append(withoutSettings(), append([]string{"UNDERSIGNED_DB=u.db", "UNDERSIGNED_ADDR=" + freeAddr(t)}, env...)...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = errors.New("still running after 10s")
	}
	return string(out), err
}

// A flag on the command line wins over the environment: with a malformed
// value of every setting in the environment and a good one of each on the
// command line, the server starts, and speaks the flag's language.
func TestFlagsWinOverTheEnvironment(t *testing.T) {
	db, addr := filepath.Join(t.TempDir(), "u.db"), freeAddr(t)
	values := map[string]string{"addr": addr, "db": db}
	for flag, value := range good {
		values[flag] = value
	}
	var flags []string
	for flag := range listedFlags(t) {
		value, ok := values[flag]
		if !ok {
			t.Fatalf("-%s has no good value in this test: add one to good", flag)
		}
		t.Setenv(envTwin(flag), malformed[flag][0])
		flags = append(flags, "-"+flag, value)
	}
	start(t, db, addr, flags...)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), `<html lang="es"`) {
		t.Errorf("the home page, with -lang es and UNDERSIGNED_LANG=%s, is not in Spanish:\n%.300s", malformed["lang"][0], page)
	}
}

// The README's table of settings has one row per setting, with its
// variable and, where it is a value, its default, and no row for a flag
// that does not exist.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := settingsTable(t, string(readme))
	flags := listedFlags(t)
	for flag, text := range flags {
		row, ok := rows[flag]
		if !ok {
			t.Errorf("-%s is missing from the README's settings table", flag)
			continue
		}
		if row[0] != "`"+envTwin(flag)+"`" {
			t.Errorf("the README gives -%s the variable %s, want `%s`", flag, row[0], envTwin(flag))
		}
		if m := defaultValue.FindStringSubmatch(text); m != nil && row[1] != "`"+m[1]+"`" {
			t.Errorf("the README gives -%s the default %s, -h `%s`", flag, row[1], m[1])
		}
	}
	for flag := range rows {
		if _, ok := flags[flag]; !ok {
			t.Errorf("the README's settings table has a row for -%s, which the server does not have", flag)
		}
	}
}

var defaultValue = regexp.MustCompile(`\(default "([^"]*)"\)`)

// settingsTable reads the README's table of settings, found by its header
// wherever it is, into its rows by flag: variable, default, meaning.
func settingsTable(t *testing.T, readme string) map[string][]string {
	const header = "| flag | environment variable | default | meaning |"
	_, table, ok := strings.Cut(readme, header+"\n")
	if !ok {
		t.Fatalf("the README has no table of settings starting %q", header)
	}
	rows := map[string][]string{}
	for line := range strings.Lines(table) {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), " | ")
		if flag, ok := strings.CutPrefix(strings.TrimSpace(cells[0]), "`-"); ok && len(cells) == 4 {
			rows[strings.TrimSuffix(flag, "`")] = cells[1:]
		}
	}
	return rows
}
