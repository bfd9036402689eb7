package models

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/language"
)

// Invalid is one rule an input breaks: the field (by the name its input
// struct gives it), a code saying what is wrong ("required", "too_long",
// "invisible" …) and what the message needs to say it, such as {"max": 200}
// or {"char": "U+202E"}. Each place that shows it finds the words in its
// catalogue; the rules themselves are only in the validate tags.
type Invalid struct {
	Field  string
	Code   string
	Params map[string]any
}

// validate holds every rule of Undersigned's inputs: validator/v10's own and
// those below, registered once here for the signing form, the editor and the
// import alike.
var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Inputs here name their fields in a `field` tag; the handlers' own forms
	// are named as they are posted, in `form`.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if name := f.Tag.Get("field"); name != "" {
			return name
		}
		return strings.SplitN(f.Tag.Get("form"), ",", 2)[0]
	})
	rules := map[string]func(string) bool{
		"text":      func(s string) bool { return ValidPlainText(s, false) },
		"multiline": func(s string) bool { return ValidPlainText(s, true) },
		"country":   IsCountryCode,
		"slug":      ValidSlug,
		"domain":    ValidDomain,
		"visible": func(s string) bool {
			_, found := InvisibleIn(s)
			return !found
		},
		"visible_email": func(s string) bool {
			_, found := InvisibleInEmail(s)
			return !found
		},
		"bcp47": func(s string) bool {
			_, err := language.Parse(s)
			return err == nil
		},
	}
	for tag, ok := range rules {
		if err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool { return ok(fl.Field().String()) }); err != nil {
			panic(err) // a programming error, seen at start
		}
	}
	return v
}

// Validate checks a struct against its validate tags and returns what it
// breaks, one failure per field at most, in the struct's order.
func Validate(in any) []Invalid {
	return invalidOf(validate.Struct(in))
}

// validateExcept is Validate without the rules of the named fields (Go
// names), for an input that lacks them by nature, such as an imported
// signatory's email address.
func validateExcept(in any, fields ...string) []Invalid {
	return invalidOf(validate.StructExcept(in, fields...))
}

func invalidOf(err error) []Invalid {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			panic(err) // not a struct: a programming error
		}
		return nil
	}
	var out []Invalid
	seen := map[string]bool{}
	for _, fe := range verrs {
		field, _, _ := strings.Cut(fe.Field(), "[") // a demand group's lead-in or demands
		if seen[field] {
			continue
		}
		seen[field] = true
		out = append(out, Invalid{Field: field, Code: codeOf(fe), Params: paramsOf(fe)})
	}
	return out
}

// codes names what a broken validator tag means; a tag not here is its own code.
var codes = map[string]string{
	"required":      "required",
	"required_if":   "required",
	"email":         "email",
	"text":          "plain_text",
	"multiline":     "plain_text",
	"visible":       "invisible",
	"visible_email": "invisible",
	"country":       "country",
	"nefield":       "same_country", // only the second country must differ from another field
	"oneof":         "choice",
	"slug":          "slug",
	"bcp47":         "lang",
	"datetime":      "date",
}

// boundCodes name a broken min or max by what it bounds: a text's length,
// a list's items or a number.
var boundCodes = map[string]map[string]string{
	"text":   {"max": "too_long", "min": "too_short"},
	"list":   {"max": "too_many", "min": "too_few"},
	"number": {"max": "too_large", "min": "too_small"},
}

// codeOf is a failure's code.
func codeOf(fe validator.FieldError) string {
	if fe.Tag() == "min" || fe.Tag() == "max" {
		bounded := "text"
		switch k := fe.Kind(); {
		case k == reflect.Slice || k == reflect.Array || k == reflect.Map:
			bounded = "list"
		case k >= reflect.Int && k <= reflect.Float64:
			bounded = "number"
		}
		return boundCodes[bounded][fe.Tag()]
	}
	if code, ok := codes[fe.Tag()]; ok {
		return code
	}
	return fe.Tag()
}

// paramsOf is what a failure's message says beside its text: the bound
// broken, or the invisible character found.
func paramsOf(fe validator.FieldError) map[string]any {
	value, _ := fe.Value().(string)
	switch fe.Tag() {
	case "max", "min":
		n, err := strconv.Atoi(fe.Param())
		if err != nil {
			return map[string]any{fe.Tag(): fe.Param()}
		}
		return map[string]any{fe.Tag(): n}
	case "visible":
		r, _ := InvisibleIn(value)
		return map[string]any{"char": CodePoint(r)}
	case "visible_email":
		r, _ := InvisibleInEmail(value)
		return map[string]any{"char": CodePoint(r)}
	case "domain":
		return map[string]any{"domain": value}
	}
	return nil
}
