package lookoutredactionprocessor

import (
	"fmt"
	"regexp"
)

// compile checks a configuration and builds its redactor; every error names the field at fault.
func compile(cfg *Config) (*redactor, error) {
	r := &redactor{
		exact:    map[string]keyKind{},
		policy:   cfg.ClientIP.Policy,
		ipv4Bits: cfg.ClientIP.IPv4PrefixBits,
		ipv6Bits: cfg.ClientIP.IPv6PrefixBits,
		summary:  cfg.Summary,
	}

	if len(cfg.UserIDs.Keys) > 0 || len(cfg.UserIDs.KeyPatterns) > 0 {
		key := string(cfg.UserIDs.HMACKey)
		switch {
		case key == "":
			return nil, fieldError("user_ids.hmac_key", "missing: user ids cannot be hashed without a key (set it from the environment, e.g. ${env:LOOKOUT_USER_ID_HASH_KEY})")
		case len(key) < minHMACKeyBytes:
			return nil, fieldError("user_ids.hmac_key", "%d bytes; HMAC-SHA256 needs a key of at least %d bytes", len(key), minHMACKeyBytes)
		}
		r.hmacKey = []byte(key)
	}

	if err := r.compileKeyPatterns(cfg); err != nil {
		return nil, err
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

	if err := r.compileExactKeys(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// compileKeyPatterns compiles credential_keys and every key_patterns list, in the order the policies are listed.
func (r *redactor) compileKeyPatterns(cfg *Config) error {
	lists := []struct {
		field    string
		patterns []string
		kind     keyKind
	}{
		{"user_ids.key_patterns", cfg.UserIDs.KeyPatterns, kindUserID},
		{"credential_keys", cfg.CredentialKeys, kindCredential},
		{"urls.key_patterns", cfg.URLs.KeyPatterns, kindURL},
		{"queries.key_patterns", cfg.Queries.KeyPatterns, kindQuery},
		{"sql.statement_key_patterns", cfg.SQL.StatementKeyPatterns, kindStatement},
		{"message_key_patterns", cfg.MessageKeyPatterns, kindMessage},
		{"client_ip.key_patterns", cfg.ClientIP.KeyPatterns, kindClientIP},
		{"text.key_patterns", cfg.Text.KeyPatterns, kindText},
	}
	for _, l := range lists {
		for i, p := range l.patterns {
			re, err := compilePattern(p)
			if err != nil {
				return fieldError(fmt.Sprintf("%s[%d]", l.field, i), "%v", err)
			}
			r.keyPatterns = append(r.keyPatterns, keyPattern{re: re, kind: l.kind})
		}
	}
	return nil
}

// compileExactKeys records what every key named exactly gets, patterns included. An ignored key must not also be
// one the configuration names for redaction; a pattern that matches an ignored key does not apply to it (the
// exact name is the more specific decision).
func (r *redactor) compileExactKeys(cfg *Config) error {
	lists := []struct {
		field string
		keys  []string
		kind  keyKind
	}{
		{"user_ids.keys", cfg.UserIDs.Keys, kindUserID},
		{"ignored_keys", cfg.IgnoredKeys, kindIgnored},
		{"urls.keys", cfg.URLs.Keys, kindURL},
		{"queries.keys", cfg.Queries.Keys, kindQuery},
		{"sql.statement_keys", cfg.SQL.StatementKeys, kindStatement},
		{"message_keys", cfg.MessageKeys, kindMessage},
		{"client_ip.keys", cfg.ClientIP.Keys, kindClientIP},
		{"text.keys", cfg.Text.Keys, kindText},
	}
	for _, l := range lists {
		for i, k := range l.keys {
			if k == "" {
				return fieldError(fmt.Sprintf("%s[%d]", l.field, i), "empty key")
			}
			r.exact[k] |= l.kind
		}
	}
	for _, k := range cfg.IgnoredKeys {
		if other := r.exact[k] &^ kindIgnored; other != 0 {
			return fieldError("ignored_keys", "%q is also listed in %s: an ignored key is never redacted", k, fieldOf(other))
		}
	}
	for k, kind := range r.exact {
		if kind&kindIgnored == 0 {
			r.exact[k] = kind | r.patternKind(k)
		}
	}
	return nil
}

func fieldOf(kind keyKind) string {
	switch {
	case kind&kindUserID != 0:
		return "user_ids.keys"
	case kind&kindURL != 0:
		return "urls.keys"
	case kind&kindQuery != 0:
		return "queries.keys"
	case kind&kindStatement != 0:
		return "sql.statement_keys"
	case kind&kindMessage != 0:
		return "message_keys"
	case kind&kindText != 0:
		return "text.keys"
	default:
		return "client_ip.keys"
	}
}

func (r *redactor) compileSQL(cfg *Config) error {
	s := cfg.SQL
	needsString := len(s.StatementKeys) > 0 || len(s.StatementKeyPatterns) > 0 || s.LooksLikeSQL != ""
	if needsString && s.StringLiteral == "" {
		return fieldError("sql.string_literal", "required when sql.statement_keys, sql.statement_key_patterns or sql.looks_like_sql is set")
	}
	if s.StringLiteral != "" {
		ru, err := r.newRule("sql.string_literal", "sql.string_literal", s.StringLiteral, "")
		if err != nil {
			return err
		}
		r.sqlString = ru
	}
	if s.NumericLiteral != "" {
		ru, err := r.newRule("sql.numeric_literal", "sql.numeric_literal", s.NumericLiteral, "")
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
	if rc.Check != "" {
		if _, ok := checks[rc.Check]; !ok {
			return nil, fieldError(fmt.Sprintf("%s (%s).check", field, rc.Name), "%q is not one of %s", rc.Check, checkNames())
		}
	}
	return r.newRule(fmt.Sprintf("%s (%s).pattern", field, rc.Name), rc.Name, rc.Pattern, rc.Check)
}

func (r *redactor) newRule(field, name, pattern, check string) (*rule, error) {
	if pattern == "" {
		return nil, fieldError(field, "%v", errNoPattern)
	}
	ru, err := newRule(name, pattern, &r.sc)
	if err != nil {
		return nil, fieldError(field, "%v", err)
	}
	ru.check = checks[check]
	return ru, nil
}

func compilePattern(p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, errNoPattern
	}
	return regexp.Compile(p)
}
