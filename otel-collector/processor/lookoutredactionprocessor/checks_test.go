package lookoutredactionprocessor

import (
	"strconv"
	"testing"
)

// National identifiers and IBANs: what the value rules must mask (with a valid checksum)…
var nationalIDCases = []piiCase{
	{"IBAN", "DE89 3704 0044 0532 0130 00", ""},
	{"IBAN", "GB82WEST12345698765432", ""},
	{"IBAN", "FR1420041010050500013M02606", ""},
	{"US SSN", "536-22-1234", ""},
	{"US SSN", "SSN: 536221234", "536221234"},
	{"UK NINO", "AB 12 34 56 C", ""},
	{"UK NINO", "JG103759A", ""},
	{"French NIR", "1 84 12 76 451 089 46", ""},
	{"French NIR", "184127645108946", ""},
	{"Spanish DNI", "12345678Z", ""},
	{"Spanish NIE", "X1234567L", ""},
	{"Italian codice fiscale", "RSSMRA85T10A562S", ""},
	{"German Steuer-ID", "86095742719", ""},
	{"German Steuer-ID", "65 929 970 489", ""},
}

// …and values shaped like them that fail their check or pattern, which must come through untouched.
var nationalIDControls = []string{
	"GB00WEST12345698765432", // IBAN with a wrong check
	"000-12-3456",            // no SSN has area 000
	"666-12-3456",            // nor 666
	"AB123456E",              // NINO suffixes are A–D
	"ref 12345678A",          // DNI 12345678 has letter Z
	"RSSMRA85T10A562X",       // codice fiscale with a wrong check letter
	"build 47036892817",      // Steuer-ID with a wrong check digit
	"order 12345678901",      // eleven digits, not a Steuer-ID
	"2026-11-27",
}

func init() {
	piiCases = append(piiCases, nationalIDCases...)
	controls = append(controls, nationalIDControls...)
}

func TestChecks(t *testing.T) {
	cases := []struct {
		check string
		value string
		want  bool
	}{
		{"iban", "DE89 3704 0044 0532 0130 00", true},
		{"iban", "NL91ABNA0417164300", true},
		{"iban", "DE89 3704 0044 0532 0130 01", false},
		{"iban", "DE89", false},
		{"es-dni", "12345678Z", true},
		{"es-dni", "12345678-Z", true},
		{"es-dni", "12345678A", false},
		{"es-dni", "X1234567L", true},
		{"es-dni", "Y1234567L", false},
		{"fr-nir", "184127645108946", true},
		{"fr-nir", "1 84 12 76 451 089 46", true},
		{"fr-nir", "184127645108947", false},
		{"fr-nir", "2840312A05012", false},
		{"it-codice-fiscale", "RSSMRA85T10A562S", true},
		{"it-codice-fiscale", "RSSMRA85T10A562T", false},
		{"de-steuer-id", "86095742719", true},
		{"de-steuer-id", "65929970489", true},
		{"de-steuer-id", "47036892816", true},
		{"de-steuer-id", "47036892817", false},
		{"de-steuer-id", "12345678901", false}, // no digit repeated
		{"de-steuer-id", "06095742719", false}, // leading 0
		{"luhn", "4111 1111 1111 1111", true},
		{"luhn", "4111 1111 1111 1112", false},
	}
	for _, c := range cases {
		if got := checks[c.check](c.value); got != c.want {
			t.Errorf("%s(%q) = %v, want %v", c.check, c.value, got, c.want)
		}
	}
}

// How many random 11-digit numbers the Steuer-ID check lets through: the documented false-positive rate (~0.4%).
func TestSteuerIDFalsePositiveRate(t *testing.T) {
	passed, total := 0, 0
	for n := int64(10_000_000_000); n < 99_999_999_999; n += 9_876_541 {
		total++
		if steuerIDValid(strconv.FormatInt(n, 10)) {
			passed++
		}
	}
	if rate := float64(passed) / float64(total); rate > 0.006 {
		t.Errorf("%.2f%% of 11-digit numbers pass, want about 0.4%%", rate*100)
	} else {
		t.Logf("%d of %d (%.2f%%) 11-digit numbers pass the Steuer-ID check", passed, total, rate*100)
	}
}
