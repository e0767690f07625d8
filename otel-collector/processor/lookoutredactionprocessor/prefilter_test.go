package lookoutredactionprocessor

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"testing"
)

// The pre-filter may only skip a rule on values the rule cannot match: for every shipped rule and many values,
// a match implies "possible".
func TestPrefilterNeverSkipsAMatch(t *testing.T) {
	r, err := compile(shipped(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	rules := append(append([]*rule{}, r.valueRules...), r.ipInText...)
	rules = append(rules, r.sqlString, r.sqlNumber)

	values := []string{}
	for _, c := range piiCases {
		values = append(values, c.value, embedded(c.value))
	}
	values = append(values, controls...)
	values = append(values, "203.0.113.77", "2001:db8:85a3::8a2e:370:7334", "fe80::1", "1.2.3.4",
		"SELECT 'a', 1", "x = -3.5", "a@b.cd", "+1 (212) 555-0199", "1234 5678 9012 3456")
	// Random values over an alphabet rich in what the rules look for.
	const alphabet = "0123456789 .-()+@:/?&=_'aAbBeEyJkKsSrRhHfFgGpPxXoOlLtTiIzZ#\n"
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		values = append(values, b.String())
	}
	// And every value with digits only, of 1–20 digits and single separators, the shapes of cards and phones.
	for n := 1; n <= 20; n++ {
		values = append(values, strings.Repeat("7", n), strings.TrimSpace(strings.Repeat("12 ", n)), strings.Repeat("3-", n))
	}

	var f features
	for _, ru := range rules {
		for _, v := range values {
			r.sc.scan(v, &f)
			if ru.re.MatchString(v) && !ru.possible(v, &f) {
				t.Errorf("rule %s matches %q but its pre-filter skips it", ru.name, v)
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
