package lookoutredactionprocessor

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// keyKind says what an attribute key gets; the bits combine (a key may be a statement and a credential key).
type keyKind uint16

const (
	kindUserID keyKind = 1 << iota
	kindIgnored
	kindCredential
	kindStatement
	kindMessage
	kindClientIP
	kindURL
	kindQuery
	kindText
)

// maxCachedKeys bounds the cache of key classifications: keys repeat across spans, but a client could send endless
// new ones. Past the bound, new keys are classified every time (correct, only slower).
const maxCachedKeys = 10_000

// redactor is the compiled configuration: everything a span needs, ready to run concurrently.
type redactor struct {
	hmacKey     []byte
	exact       map[string]keyKind // every key named in the configuration, with what patterns add
	keyPatterns []keyPattern       // credential_keys and every key_patterns list
	keyCache    sync.Map           // string → keyKind, for keys not named in the configuration
	cachedKeys  atomic.Int64

	sc         scanner
	valueRules []*rule
	sqlString  *rule // nil when SQL is not configured
	sqlNumber  *rule
	looksSQL   *regexp.Regexp
	ipInText   []*rule
	policy     string
	ipv4Bits   int
	ipv6Bits   int
	summary    string
}

// kind classifies an attribute key.
func (r *redactor) kind(key string) keyKind {
	if k, ok := r.exact[key]; ok {
		return k
	}
	if k, ok := r.keyCache.Load(key); ok {
		return k.(keyKind)
	}
	k := r.patternKind(key)
	if r.cachedKeys.Load() < maxCachedKeys {
		if _, loaded := r.keyCache.LoadOrStore(key, k); !loaded {
			r.cachedKeys.Add(1)
		}
	}
	return k
}

// keyPattern is one key pattern and what a key it matches gets.
type keyPattern struct {
	re   *regexp.Regexp
	kind keyKind
}

// patternKind combines what every key pattern that matches the key gives it.
func (r *redactor) patternKind(key string) keyKind {
	var k keyKind
	for _, p := range r.keyPatterns {
		if k&p.kind != p.kind && p.re.MatchString(key) {
			k |= p.kind
		}
	}
	return k
}

// userIDMAC is HMAC-SHA256(key, id).
func (r *redactor) userIDMAC(id string) []byte {
	h := hmac.New(sha256.New, r.hmacKey)
	h.Write([]byte(id))
	return h.Sum(nil)
}

// applyRules runs the rules in order on s; f is s's scan and is kept up to date after every replacement.
func (r *redactor) applyRules(s string, rules []*rule, f *features, repl string) string {
	for _, ru := range rules {
		s = r.apply(s, ru, f, repl)
	}
	return s
}

// apply replaces every match of the rule in s with repl (which may refer to groups, as in "${1}?"); s is returned as is
// when the rule cannot or does not match. Most values that match hold one match: when the pre-filter rules out another
// one after the first (a later match lies wholly after it, so it would need the same bytes), the first is replaced
// directly, without running the expression over the value a second time.
func (r *redactor) apply(s string, ru *rule, f *features, repl string) string {
	if !ru.possible(s, f) {
		return s
	}
	if ru.check != nil {
		return r.applyChecked(s, ru, f, repl)
	}
	expand := strings.Contains(repl, "$")
	var first []int
	if expand {
		first = ru.re.FindStringSubmatchIndex(s)
	} else {
		first = ru.re.FindStringIndex(s)
	}
	if first == nil {
		return s
	}
	rest := s[first[1]:]
	var restFeatures features
	r.sc.scan(rest, &restFeatures)
	if first[0] == first[1] || ru.possible(rest, &restFeatures) {
		s = ru.re.ReplaceAllString(s, repl)
	} else {
		out := make([]byte, 0, len(s)+len(repl))
		out = append(out, s[:first[0]]...)
		if expand {
			out = ru.re.ExpandString(out, repl, s, first)
		} else {
			out = append(out, repl...)
		}
		s = string(append(out, rest...))
	}
	r.sc.scan(s, f)
	return s
}

// applyChecked replaces only the matches that pass the rule's check (repl is literal: checked rules are value rules).
func (r *redactor) applyChecked(s string, ru *rule, f *features, repl string) string {
	matches := ru.re.FindAllStringIndex(s, -1)
	var out []byte
	last := 0
	for _, m := range matches {
		if !ru.check(s[m[0]:m[1]]) {
			continue
		}
		out = append(append(out, s[last:m[0]]...), repl...)
		last = m[1]
	}
	if out == nil {
		return s
	}
	s = string(append(out, s[last:]...))
	r.sc.scan(s, f)
	return s
}

// text redacts free text: span names, status messages, event names and MessageKeys values.
func (r *redactor) text(s string) string {
	var f features
	r.sc.scan(s, &f)
	s = r.applyRules(s, r.valueRules, &f, Mask)
	s = r.sqlInText(s, &f)
	if r.policy != policyKeep {
		s = r.applyRules(s, r.ipInText, &f, Mask)
	}
	return s
}

// sqlInText replaces the string literals of free text that looks like SQL (a driver error quoting its statement).
func (r *redactor) sqlInText(s string, f *features) string {
	if r.sqlString == nil || r.looksSQL == nil || !r.sqlString.possible(s, f) || !r.looksSQL.MatchString(s) {
		return s
	}
	return r.apply(s, r.sqlString, f, "?")
}

// stringValue redacts one string value of an attribute of the given (non-ignored, non-credential) kind.
func (r *redactor) stringValue(s string, kind keyKind) string {
	if kind&kindClientIP != 0 && r.policy == policyMask {
		return Mask
	}
	switch {
	case kind&kindURL != 0:
		s = r.url(s)
	case kind&kindQuery != 0:
		s = r.query(s)
	case kind&kindMessage != 0:
		s = r.text(s)
	default:
		s = r.rules(s)
		if kind&kindStatement != 0 {
			var f features
			r.sc.scan(s, &f)
			if r.sqlString != nil {
				s = r.apply(s, r.sqlString, &f, "?")
			}
			if r.sqlNumber != nil {
				s = r.apply(s, r.sqlNumber, &f, "${1}?")
			}
		}
	}
	if kind&kindClientIP != 0 && r.policy == policyTruncate {
		return r.truncate(s)
	}
	return s
}

// rules runs the value rules on s.
func (r *redactor) rules(s string) string {
	if s == "" {
		return s
	}
	var f features
	r.sc.scan(s, &f)
	return r.applyRules(s, r.valueRules, &f, Mask)
}

// truncate keeps the network part of a client address (with or without a port); anything that is not an address
// is masked, since it cannot be truncated.
func (r *redactor) truncate(s string) string {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return Mask
		}
		addr = ap.Addr()
	}
	addr = addr.WithZone("").Unmap()
	bits := r.ipv6Bits
	if addr.Is4() {
		bits = r.ipv4Bits
	}
	prefix, err := addr.Prefix(bits)
	if err != nil {
		return Mask
	}
	return prefix.Addr().String()
}

// sortedKeys is for the debug summary.
func sortedKeys(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}
