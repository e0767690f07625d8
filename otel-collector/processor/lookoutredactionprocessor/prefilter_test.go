package lookoutredactionprocessor

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"testing"
)

// shippedRules is every rule of the shipped configuration that runs through apply, with the replacement it gets.
func shippedRules(t *testing.T) (*redactor, map[*rule]string) {
	r, err := compile(shipped(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	rules := map[*rule]string{r.sqlString: "?", r.sqlNumber: "${1}?"}
	for _, ru := range append(append([]*rule{}, r.valueRules...), r.ipInText...) {
		rules[ru] = Mask
	}
	return r, rules
}

// probeValues is what the rules are tried on: every corpus value alone and embedded in text, controls, random strings
// over an alphabet rich in what the rules look for, digit runs shaped like cards and phones, and pairs of corpus
// values in one string (two matches of a rule, or of two rules).
func probeValues() []string {
	values := []string{}
	for _, c := range piiCases {
		values = append(values, c.value, embedded(c.value))
	}
	values = append(values, controls...)
	values = append(values, "203.0.113.77", "2001:db8:85a3::8a2e:370:7334", "fe80::1", "1.2.3.4",
		"SELECT 'a', 1", "x = -3.5", "a@b.cd", "+1 (212) 555-0199", "1234 5678 9012 3456",
		"https://relaycore.internal/v1/route?model=gpt-4o&page=2", "/search?q=1&token=abc&page=2&key=x")
	const alphabet = "0123456789 .-()+@:/?&=_'aAbBeEyJkKsSrRhHfFgGpPxXoOlLtTiIzZ#\n"
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		values = append(values, b.String())
	}
	for n := 1; n <= 20; n++ {
		values = append(values, strings.Repeat("7", n), strings.TrimSpace(strings.Repeat("12 ", n)), strings.Repeat("3-", n))
	}
	for i := 0; i < 2000; i++ {
		a, b := piiCases[rng.IntN(len(piiCases))].value, piiCases[rng.IntN(len(piiCases))].value
		values = append(values, a+" "+b, a+", then "+b+".")
	}
	return values
}

// The pre-filter may only skip a rule on values the rule cannot match: for every shipped rule and many values,
// a match implies "possible".
func TestPrefilterNeverSkipsAMatch(t *testing.T) {
	r, rules := shippedRules(t)
	var f features
	for ru := range rules {
		for _, v := range probeValues() {
			r.sc.scan(v, &f)
			if ru.re.MatchString(v) && !ru.possible(v, &f) {
				t.Errorf("rule %s matches %q but its pre-filter skips it", ru.name, v)
			}
		}
	}
}

// apply replaces a lone match itself when the pre-filter rules out a second one; whichever way it goes, the result
// is exactly what the regexp's own ReplaceAllString gives (for a rule with a check, what replacing only the
// matches that pass it gives).
func TestApplyReplacesLikeReplaceAll(t *testing.T) {
	r, rules := shippedRules(t)
	var f features
	for ru, repl := range rules {
		for _, v := range probeValues() {
			r.sc.scan(v, &f)
			want := ru.re.ReplaceAllString(v, repl)
			if ru.check != nil {
				want = ru.re.ReplaceAllStringFunc(v, func(m string) string {
					if ru.check(m) {
						return repl
					}
					return m
				})
			}
			if got := r.apply(v, ru, &f, repl); got != want {
				t.Errorf("rule %s on %q: %q, ReplaceAllString gives %q", ru.name, v, got, want)
			}
		}
	}
}

// What the pre-filter derives from some patterns, and that it clears ordinary values.
func TestPrefilterDerivesWhatAMatchNeeds(t *testing.T) {
	cases := []struct {
		pattern   string
		wantNeeds map[string]int // byte set (as its members) → count
		literals  []string
		cleared   []string // values the pre-filter skips
		kept      []string // values it must not skip
	}{
		{
			pattern:   "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}",
			wantNeeds: map[string]int{"@": 1, ".": 1},
			cleared:   []string{"GET /api/v1/workflows/{workflow_id}", "okey-dokey-0", "relaycore.internal"},
			kept:      []string{"x@y.io"},
		},
		{
			pattern:   "\\b(?:\\d[ -]?){12,18}\\d\\b",
			wantNeeds: map[string]int{"0123456789": 13},
			cleared:   []string{"retry 3 of 5 after 250ms", "/api/v1/workflows/42"},
			kept:      []string{"4111 1111 1111 1111"},
		},
		{
			// "?" must be followed by the first letter of a parameter name: "?model=" does not run the rule.
			pattern:   "\\?(?i:access_token|token|api_key|key|secret|password|sig)=[^&#\\s]*",
			wantNeeds: map[string]int{"?": 1, "=": 1},
			cleared:   []string{"/v1/route?model=gpt-4o", "?=x", "a?b=c"},
			kept:      []string{"/v1/route?TOKEN=abc", "/x?page=2?key=1"},
		},
		{
			pattern:   "\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b",
			wantNeeds: map[string]int{"0123456789": 4, ".": 3},
			cleared:   []string{"v1.2", "1234.56"},
			kept:      []string{"1.2.3.4"},
		},
		{
			pattern:  "eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*",
			literals: []string{"eyJ"},
			cleared:  []string{"key.value.thing"},
			kept:     []string{"eyJhbGciOi.eyJ1c2VyIj.x"},
		},
		{
			pattern:   "(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|\\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:?){1,6}\\b",
			wantNeeds: map[string]int{":": 2},
			cleared:   []string{"redis GET models:v2"},
			kept:      []string{"fe80::1"},
		},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			parsed, err := syntax.Parse(c.pattern, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			n := needsOf(parsed.Simplify())
			got := map[string]int{}
			for s, count := range n.counts {
				if s.selective() {
					var members []byte
					for b := 0; b < 256; b++ {
						if s.has(byte(b)) {
							members = append(members, byte(b))
						}
					}
					got[string(members)] = count
				}
			}
			for set, count := range c.wantNeeds {
				if got[set] != count {
					t.Errorf("needs %d of %q, derived %v", count, set, got)
				}
			}
			for _, l := range c.literals {
				if !contains(n.literals, l) {
					t.Errorf("needs literal %q, derived %v", l, n.literals)
				}
			}
			var sc scanner
			ru, err := newRule("test", c.pattern, &sc)
			if err != nil {
				t.Fatal(err)
			}
			var f features
			for _, v := range c.cleared {
				sc.scan(v, &f)
				if ru.possible(v, &f) {
					t.Errorf("%q is not cleared", v)
				}
			}
			for _, v := range c.kept {
				sc.scan(v, &f)
				if !ru.possible(v, &f) {
					t.Errorf("%q is cleared, but the rule matches it", v)
				}
			}
		})
	}
}
