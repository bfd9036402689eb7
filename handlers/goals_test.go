package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"undersigned/handlers"
)

func TestAGoalShowsItsProgressAndItsMilestone(t *testing.T) {
	s := newSite(t, handlers.Config{})
	coord, letterPath := s.publishedLetter("c@example.org", "Org")
	settings := listAtOnce()
	settings.Set("goal_signatures", "25")
	settings.Set("goal_organisations", "2")
	coord.Get(letterPath)
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)

	v := s.client()
	v.Get(seedSlug).Expect(t, http.StatusOK, `<p class="goal-text" id="goal-signatures">0 of 25 signatures</p>`,
		`<progress aria-labelledby="goal-signatures" max="25" value="0"></progress>`, "0 of 2 organisations")

	signSeedList(t, s) // 26 signatures, of them one organisation
	page := v.Get(seedSlug).Expect(t, http.StatusOK, "26 of 25 signatures", `max="25" value="26"`, "1 of 2 organisations")
	if n := strings.Count(page.Body, "Goal reached: 25 signatures"); n != 1 {
		t.Errorf("the letter's updates say the goal was reached %d times, want once", n)
	}
	if strings.Contains(page.Body, "Goal reached: 2 organisations") {
		t.Errorf("the letter says a goal of organisations not reached was")
	}
	v.Get(seedSlug+"/embed").Expect(t, http.StatusOK, "26 of 25 signatures", `aria-labelledby="goal-signatures"`)
	v.Get(seedSlug+".json").Expect(t, http.StatusOK, `"goals":{"signatures":25,"organisations":2}`)
	v.Get("/feed.atom").Expect(t, http.StatusOK, "Goal reached: 25 signatures")
	v.Get("/").Expect(t, http.StatusOK, "Goal reached: 25 signatures") // the card's latest update
	// The editor's list of updates says what the milestone is, as the
	// letter does, beside its button to email the signers who asked.
	coord.Get(letterPath).Expect(t, http.StatusOK, "Goal reached: 25 signatures")

	// A goal set at or under the count is refused with the count; one
	// that is no whole number, or too large, is refused too; values kept.
	for typed, message := range map[string]string{
		"26":        "The letter already has 26 signatures: set a goal above that.",
		"12":        "The letter already has 26 signatures: set a goal above that.",
		"abc":       "Enter the goal as a whole number, such as 10000, or leave it empty.",
		"0":         "Enter the goal as a whole number, such as 10000, or leave it empty.",
		"100000001": "Enter a goal of 100,000,000 or less.",
	} {
		settings.Set("goal_signatures", typed)
		coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusUnprocessableEntity,
			message, `id="f-goal_signatures" name="goal_signatures" type="text" value="`+typed+`"`, `href="#f-goal_signatures"`)
	}
	settings.Set("goal_signatures", "25")
	settings.Set("goal_organisations", "1")
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusUnprocessableEntity,
		"The letter already has 1 organisation on its list: set a goal above that.")

	// Raised, the goal shows at once, the milestone reached stays.
	settings.Set("goal_signatures", "10 000")
	settings.Set("goal_organisations", "2")
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	v.Get(seedSlug).Expect(t, http.StatusOK, "26 of 10,000 signatures", "Goal reached: 25 signatures")
	coord.Get(letterPath).Expect(t, http.StatusOK, `name="goal_signatures" type="text" value="10000"`)
	// A letter in Arabic says it right to left, in the plural form of the number.
	settings.Set("lang", "ar")
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	v.Get(seedSlug+"?lang=ar").Expect(t, http.StatusOK).ExpectMarkup(t, `<div class="goals" lang="ar" dir="rtl">`).
		Shows(t, "26 من 10,000 توقيع", "تحقّق الهدف: 25 توقيعًا")
	settings.Set("lang", "en")

	// Emptied, no goal shows.
	settings.Del("goal_signatures")
	settings.Del("goal_organisations")
	coord.Post(letterPath+"/settings", settings).Expect(t, http.StatusSeeOther)
	if page := v.Get(seedSlug); strings.Contains(page.Body, "<progress") {
		t.Errorf("a letter without goals shows a progress bar")
	}
}
