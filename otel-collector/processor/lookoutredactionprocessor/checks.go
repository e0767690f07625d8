package lookoutredactionprocessor

import (
	"slices"
	"strings"
)

// Checksums a value rule's match must pass before it is masked (RuleConfig.Check). A national identifier or an
// account number carries a check digit or letter; testing it keeps a pattern over plain digits and letters from
// masking every order number of the same length. Each takes the match as the rule found it (with spaces or dashes)
// and is total: anything it does not understand fails the check.
var checks = map[string]func(string) bool{
	"iban":              ibanValid,
	"es-dni":            spanishDNIValid,
	"fr-nir":            frenchNIRValid,
	"it-codice-fiscale": codiceFiscaleValid,
	"de-steuer-id":      steuerIDValid,
	"luhn":              luhnValid,
}

func checkNames() string {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// compact drops the spaces and dashes people write identifiers with.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// ibanValid is ISO 13616's check: the first four characters moved to the end, letters as 10–35, the number mod 97
// is 1.
func ibanValid(s string) bool {
	s = strings.ToUpper(compact(s))
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	rem := 0
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// spanishDNIValid: the letter of a DNI (8 digits) or NIE (X, Y or Z for 0, 1, 2, then 7 digits) is the number mod 23
// in TRWAGMYFPDXBNJZSQVHLCKE.
func spanishDNIValid(s string) bool {
	s = strings.ToUpper(compact(s))
	if len(s) != 9 {
		return false
	}
	digits := []byte(s[:8])
	if i := strings.IndexByte("XYZ", digits[0]); i >= 0 {
		digits[0] = byte('0' + i)
	}
	n, ok := number(string(digits))
	return ok && "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == s[8]
}

// frenchNIRValid: a NIR is 13 characters and a 2-digit key equal to 97 − (the 13 as a number mod 97), with the
// Corsican departments 2A and 2B counted as 19 and 18.
func frenchNIRValid(s string) bool {
	s = strings.ToUpper(compact(s))
	if len(s) != 15 {
		return false
	}
	body := s[:13]
	switch body[5:7] {
	case "2A":
		body = body[:5] + "19" + body[7:]
	case "2B":
		body = body[:5] + "18" + body[7:]
	}
	n, ok1 := number(body)
	key, ok2 := number(s[13:])
	return ok1 && ok2 && key == 97-n%97
}

// codiceFiscaleValid: the 16th character of an Italian fiscal code is a check letter, the sum of the first 15
// characters' values (one table for odd positions, the alphabet index for even ones) mod 26.
func codiceFiscaleValid(s string) bool {
	s = strings.ToUpper(s)
	if len(s) != 16 {
		return false
	}
	// Values of 0–9 and A–Z at odd (1st, 3rd, …) positions.
	odd := [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	sum := 0
	for i := 0; i < 15; i++ {
		c := s[i]
		var idx, even int
		switch {
		case c >= '0' && c <= '9':
			idx, even = int(c-'0'), int(c-'0')
		case c >= 'A' && c <= 'Z':
			idx, even = 10+int(c-'A'), int(c-'A')
		default:
			return false
		}
		if i%2 == 0 {
			sum += odd[idx]
		} else {
			sum += even
		}
	}
	return s[15] == byte('A'+sum%26)
}

// steuerIDValid: a German tax identification number is 11 digits, the first not 0; in the first ten exactly one
// digit occurs two or three times and every other at most once; the last is an ISO 7064 MOD 11,10 check digit.
func steuerIDValid(s string) bool {
	s = compact(s)
	if len(s) != 11 || s[0] == '0' {
		return false
	}
	var seen [10]int
	product := 10
	for i := 0; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i == 10 {
			break
		}
		d := int(s[i] - '0')
		seen[d]++
		sum := (d + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = sum * 2 % 11
	}
	repeated := 0
	for _, n := range seen {
		switch {
		case n == 2 || n == 3:
			repeated++
		case n > 3:
			return false
		}
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return repeated == 1 && int(s[10]-'0') == check
}

// luhnValid is the payment-card check digit.
func luhnValid(s string) bool {
	s = compact(s)
	if len(s) < 2 {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// number parses decimal digits (at most 18, so it cannot overflow).
func number(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	return n, true
}
