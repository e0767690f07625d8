package lookoutredactionprocessor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// keyKind says what an attribute key gets; the bits combine (a key may be a statement and a credential key).
type keyKind uint8

const (
	kindUserID keyKind = 1 << iota
	kindIgnored
	kindCredential
	kindStatement
	kindMessage
	kindClientIP
)

// maxCachedKeys bounds the cache of key classifications: keys repeat across spans, but a client could send endless
// new ones. Past the bound, new keys are classified every time (correct, only slower).
const maxCachedKeys = 10_000

// redactor is the compiled configuration: everything a span needs, ready to run concurrently.
type redactor struct {
	hmacKey        []byte
	exact          map[string]keyKind // every key named in the configuration
	credentialKeys []*regexp.Regexp
	keyCache       sync.Map // string → keyKind, for keys not named in the configuration
	cachedKeys     atomic.Int64

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

// compile checks a configuration and builds its redactor; every error names the field at fault.
func compile(cfg *Config) (*redactor, error) {
	r := &redactor{
		exact:    map[string]keyKind{},
		policy:   cfg.ClientIP.Policy,
		ipv4Bits: cfg.ClientIP.IPv4PrefixBits,
		ipv6Bits: cfg.ClientIP.IPv6PrefixBits,
		summary:  cfg.Summary,
	}

	if len(cfg.UserIDs.Keys) > 0 {
		key := string(cfg.UserIDs.HMACKey)
		switch {
		case key == "":
			return nil, fieldError("user_ids.hmac_key", "missing: user ids cannot be hashed without a key (set it from the environment, e.g. ${env:LOOKOUT_USER_ID_HASH_KEY})")
		case len(key) < minHMACKeyBytes:
			return nil, fieldError("user_ids.hmac_key", "%d bytes; HMAC-SHA256 needs a key of at least %d bytes", len(key), minHMACKeyBytes)
		}
		r.hmacKey = []byte(key)
	}

	for i, p := range cfg.CredentialKeys {
		re, err := compilePattern(p)
		if err != nil {
			return nil, fieldError(fmt.Sprintf("credential_keys[%d]", i), "%v", err)
		}
		r.credentialKeys = append(r.credentialKeys, re)
	}

	for i, rc := range cfg.ValueRules {
		ru, err := r.newNamedRule(fmt.Sprintf("value_rules[%d]", i), rc)
		if err != nil {
			return nil, err
		}
		r.valueRules = append(r.valueRules, ru)
	}

	if err := r.compileSQL(cfg); err != nil {
		return nil, err
	}
	if err := r.compileClientIP(cfg); err != nil {
		return nil, err
	}

	switch cfg.Summary {
	case summarySilent, summaryInfo, summaryDebug:
	case "":
		r.summary = summarySilent
	default:
		return nil, fieldError("summary", "%q is not one of silent, info, debug", cfg.Summary)
	}

	// Exact keys, and what each gets. An ignored key must not also be one the configuration asks to redact.
	lists := []struct {
		field string
		keys  []string
		kind  keyKind
	}{
		{"user_ids.keys", cfg.UserIDs.Keys, kindUserID},
		{"ignored_keys", cfg.IgnoredKeys, kindIgnored},
		{"sql.statement_keys", cfg.SQL.StatementKeys, kindStatement},
		{"message_keys", cfg.MessageKeys, kindMessage},
		{"client_ip.keys", cfg.ClientIP.Keys, kindClientIP},
	}
	for _, l := range lists {
		for i, k := range l.keys {
			if k == "" {
				return nil, fieldError(fmt.Sprintf("%s[%d]", l.field, i), "empty key")
			}
			r.exact[k] |= l.kind
		}
	}
	for _, k := range cfg.IgnoredKeys {
		if other := r.exact[k] &^ kindIgnored; other != 0 {
			return nil, fieldError("ignored_keys", "%q is also listed in %s: an ignored key is never redacted", k, fieldOf(other))
		}
	}
	for k, kind := range r.exact {
		if r.isCredentialKey(k) {
			r.exact[k] = kind | kindCredential
		}
	}
	return r, nil
}

func fieldOf(kind keyKind) string {
	switch {
	case kind&kindUserID != 0:
		return "user_ids.keys"
	case kind&kindStatement != 0:
		return "sql.statement_keys"
	case kind&kindMessage != 0:
		return "message_keys"
	default:
		return "client_ip.keys"
	}
}

func (r *redactor) compileSQL(cfg *Config) error {
	s := cfg.SQL
	needsString := len(s.StatementKeys) > 0 || s.LooksLikeSQL != ""
	if needsString && s.StringLiteral == "" {
		return fieldError("sql.string_literal", "required when sql.statement_keys or sql.looks_like_sql is set")
	}
	if s.StringLiteral != "" {
		ru, err := r.newRule("sql.string_literal", "sql.string_literal", s.StringLiteral)
		if err != nil {
			return err
		}
		r.sqlString = ru
	}
	if s.NumericLiteral != "" {
		ru, err := r.newRule("sql.numeric_literal", "sql.numeric_literal", s.NumericLiteral)
		if err != nil {
			return err
		}
		if ru.re.NumSubexp() < 1 {
			return fieldError("sql.numeric_literal", "needs a capture group for the character before the number (it is kept)")
		}
		r.sqlNumber = ru
	}
	if s.LooksLikeSQL != "" {
		re, err := compilePattern(s.LooksLikeSQL)
		if err != nil {
			return fieldError("sql.looks_like_sql", "%v", err)
		}
		r.looksSQL = re
	}
	return nil
}

func (r *redactor) compileClientIP(cfg *Config) error {
	c := cfg.ClientIP
	switch c.Policy {
	case policyMask, policyTruncate, policyKeep:
	default:
		return fieldError("client_ip.policy", "%q is not one of mask, truncate, keep", c.Policy)
	}
	if c.IPv4PrefixBits < 0 || c.IPv4PrefixBits > 32 {
		return fieldError("client_ip.ipv4_prefix_bits", "%d is not between 0 and 32", c.IPv4PrefixBits)
	}
	if c.IPv6PrefixBits < 0 || c.IPv6PrefixBits > 128 {
		return fieldError("client_ip.ipv6_prefix_bits", "%d is not between 0 and 128", c.IPv6PrefixBits)
	}
	for i, rc := range c.InText {
		ru, err := r.newNamedRule(fmt.Sprintf("client_ip.in_text[%d]", i), rc)
		if err != nil {
			return err
		}
		r.ipInText = append(r.ipInText, ru)
	}
	return nil
}

func (r *redactor) newNamedRule(field string, rc RuleConfig) (*rule, error) {
	if rc.Name == "" {
		return nil, fieldError(field+".name", "missing (every rule is named, so a failing rule can be found)")
	}
	return r.newRule(fmt.Sprintf("%s (%s).pattern", field, rc.Name), rc.Name, rc.Pattern)
}

func (r *redactor) newRule(field, name, pattern string) (*rule, error) {
	if pattern == "" {
		return nil, fieldError(field, "%v", errNoPattern)
	}
	ru, err := newRule(name, pattern, &r.sc)
	if err != nil {
		return nil, fieldError(field, "%v", err)
	}
	return ru, nil
}

func compilePattern(p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, errNoPattern
	}
	return regexp.Compile(p)
}

// kind classifies an attribute key.
func (r *redactor) kind(key string) keyKind {
	if k, ok := r.exact[key]; ok {
		return k
	}
	if k, ok := r.keyCache.Load(key); ok {
		return k.(keyKind)
	}
	var k keyKind
	if r.isCredentialKey(key) {
		k = kindCredential
	}
	if r.cachedKeys.Load() < maxCachedKeys {
		if _, loaded := r.keyCache.LoadOrStore(key, k); !loaded {
			r.cachedKeys.Add(1)
		}
	}
	return k
}

func (r *redactor) isCredentialKey(key string) bool {
	for _, re := range r.credentialKeys {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}

// hashUserID is HMAC-SHA256(key, id) in hex.
func (r *redactor) hashUserID(id string) string {
	h := hmac.New(sha256.New, r.hmacKey)
	h.Write([]byte(id))
	return hex.EncodeToString(h.Sum(nil))
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
	if kind&kindMessage != 0 {
		s = r.text(s)
	} else {
		var f features
		r.sc.scan(s, &f)
		s = r.applyRules(s, r.valueRules, &f, Mask)
		if kind&kindStatement != 0 {
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
