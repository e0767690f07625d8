package lookoutredactionprocessor

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/config/configopaque"
)

// Config is the processor's configuration (gateway.yaml, processors.lookout_redaction). Every rule is a regular
// expression (RE2) in the configuration; the processor derives its pre-filter from them (prefilter.go).
type Config struct {
	// UserIDs: values of these keys become HMAC-SHA256(key, value) in hex, whatever their type — joinable across
	// traces, not reversible without the key. Hashed before any other rule runs.
	UserIDs UserIDConfig `mapstructure:"user_ids"`

	// IgnoredKeys are never scanned: enumerations and names by semantic convention, never free text.
	IgnoredKeys []string `mapstructure:"ignored_keys"`

	// CredentialKeys: patterns on attribute keys whose values are masked whole, whatever they look like (the type is
	// kept: a string becomes Mask, a number 0, every element of an array is masked).
	CredentialKeys []string `mapstructure:"credential_keys"`

	// URLs hold URLs (url.full, http.url, http.target…): scheme, host, port and path are kept (the path through the
	// value rules), userinfo is dropped and the value of every query and fragment parameter becomes Mask.
	URLs KeySet `mapstructure:"urls"`

	// Queries hold a query string without its "?" (url.query): the value of every parameter becomes Mask.
	Queries KeySet `mapstructure:"queries"`

	// Text holds names and plain values that only the value rules apply to (server.address, url.path, user.roles):
	// what any unnamed key gets too, named so that the registry coverage test sees the decision.
	Text KeySet `mapstructure:"text"`

	// ValueRules, tried in this order on every string value (attributes of resources, scopes, spans, span events
	// and links; span names, status messages and event names); each match becomes Mask.
	ValueRules []RuleConfig `mapstructure:"value_rules"`

	// MessageKeys hold free text like a status message (exception.message): besides the value rules they get the
	// SQL literal rule when they look like SQL, and the client IP address rules.
	MessageKeys []string `mapstructure:"message_keys"`
	// MessageKeyPatterns: patterns on keys that are free text in the same way (bodies, prompts, stack traces).
	MessageKeyPatterns []string `mapstructure:"message_key_patterns"`

	SQL      SQLConfig      `mapstructure:"sql"`
	ClientIP ClientIPConfig `mapstructure:"client_ip"`

	// Summary: silent (default) adds nothing; info adds redaction.masked.count to each attribute set where something
	// was masked; debug also redaction.masked.keys (key names, never values).
	Summary string `mapstructure:"summary"`
}

// KeySet names attribute keys exactly and by pattern (RE2, unanchored unless the pattern anchors itself).
type KeySet struct {
	Keys        []string `mapstructure:"keys"`
	KeyPatterns []string `mapstructure:"key_patterns"`
}

// UserIDConfig names the user-id keys and the HMAC key.
type UserIDConfig struct {
	Keys []string `mapstructure:"keys"`
	// KeyPatterns: patterns on keys that hold an identity too (user.email, user.full_name).
	KeyPatterns []string `mapstructure:"key_patterns"`
	// HMACKey is required (at least 32 bytes) when Keys is not empty; take it from the environment.
	HMACKey configopaque.String `mapstructure:"hmac_key"`
}

// RuleConfig is one named pattern.
type RuleConfig struct {
	Name    string `mapstructure:"name"`
	Pattern string `mapstructure:"pattern"`
	// Check, when set, names a checksum a match must pass before it is masked (checks.go): iban, es-dni,
	// fr-nir, it-codice-fiscale, de-steuer-id, luhn. It keeps a pattern over plain digits from masking every number
	// of that length.
	Check string `mapstructure:"check"`
}

// SQLConfig: literals in SQL become "?".
type SQLConfig struct {
	// StatementKeys hold SQL statements (db.query.text, db.statement): string and numeric literals are replaced.
	StatementKeys []string `mapstructure:"statement_keys"`
	// StatementKeyPatterns: patterns on keys that hold statements too.
	StatementKeyPatterns []string `mapstructure:"statement_key_patterns"`
	// StringLiteral matches a string literal; NumericLiteral a number, keeping its first capture group (the
	// character before it).
	StringLiteral  string `mapstructure:"string_literal"`
	NumericLiteral string `mapstructure:"numeric_literal"`
	// LooksLikeSQL decides whether free text (span names, status messages, event names, MessageKeys) is SQL, in
	// which case its string literals are replaced.
	LooksLikeSQL string `mapstructure:"looks_like_sql"`
}

// ClientIPConfig is the client IP address policy.
type ClientIPConfig struct {
	// Policy: mask (the whole value of Keys, and addresses in free text, become Mask), truncate (Keys keep their
	// network part, addresses in free text are masked) or keep.
	Policy string `mapstructure:"policy"`
	// Keys hold a client's address (client.address, http.client_ip…).
	Keys []string `mapstructure:"keys"`
	// KeyPatterns: patterns on keys that hold a client's address too (x-forwarded-for headers, *.mac.address).
	KeyPatterns []string `mapstructure:"key_patterns"`
	// IPv4PrefixBits and IPv6PrefixBits: what truncate keeps (24 and 48 by default).
	IPv4PrefixBits int `mapstructure:"ipv4_prefix_bits"`
	IPv6PrefixBits int `mapstructure:"ipv6_prefix_bits"`
	// InText: address shapes masked in free text (span names, status messages, event names, MessageKeys) unless
	// the policy is keep.
	InText []RuleConfig `mapstructure:"in_text"`
}

// Mask replaces whatever a rule matched.
const Mask = "****"

const (
	policyMask     = "mask"
	policyTruncate = "truncate"
	policyKeep     = "keep"

	summarySilent = "silent"
	summaryInfo   = "info"
	summaryDebug  = "debug"

	minHMACKeyBytes = 32
)

func createDefaultConfig() *Config {
	return &Config{
		ClientIP: ClientIPConfig{Policy: policyMask, IPv4PrefixBits: 24, IPv6PrefixBits: 48},
		Summary:  summarySilent,
	}
}

// Validate checks everything the processor would otherwise find at start-up, naming the field at fault: it compiles
// the whole configuration.
func (cfg *Config) Validate() error {
	_, err := compile(cfg)
	return err
}

// fieldError names the configuration field a problem is in.
func fieldError(field string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

var errNoPattern = errors.New("empty pattern")
