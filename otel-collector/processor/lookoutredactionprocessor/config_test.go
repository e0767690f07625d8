package lookoutredactionprocessor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
)

func TestShippedConfigIsValid(t *testing.T) {
	cfg := shipped(t, nil)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.ValueRules) < 15 || len(cfg.UserIDs.Keys) == 0 || cfg.ClientIP.Policy != "mask" {
		t.Fatalf("unexpected shipped config: %+v", cfg)
	}
}

// A wrong configuration fails at start-up, with an error that names the field.
func TestConfigErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		env  map[string]string
		want string
	}{
		{"missing HMAC key", nil, map[string]string{"LOOKOUT_USER_ID_HASH_KEY": ""}, "user_ids.hmac_key: missing"},
		{"short HMAC key", nil, map[string]string{"LOOKOUT_USER_ID_HASH_KEY": "too-short"}, "user_ids.hmac_key: 9 bytes; HMAC-SHA256 needs a key of at least 32 bytes"},
		{"unknown IP policy", nil, map[string]string{"LOOKOUT_CLIENT_IP_POLICY": "hide"}, `client_ip.policy: "hide" is not one of mask, truncate, keep`},
		{"unknown summary", nil, map[string]string{"LOOKOUT_REDACTION_SUMMARY": "loud"}, `summary: "loud" is not one of silent, info, debug`},
		{"bad value rule", func(c *Config) { c.ValueRules[3].Pattern = "eyJ[A-Z" }, nil, "value_rules[3] (jwt).pattern: error parsing regexp: missing closing ]"},
		{"lookaround (not RE2)", func(c *Config) { c.ValueRules[0].Pattern = "(?<=x)y" }, nil, "value_rules[0] (url-credentials).pattern: error parsing regexp"},
		{"empty value rule", func(c *Config) { c.ValueRules[1].Pattern = "" }, nil, "value_rules[1] (query-secret-first).pattern: empty pattern"},
		{"unnamed value rule", func(c *Config) { c.ValueRules[3].Name = "" }, nil, "value_rules[3].name: missing"},
		{"bad credential key pattern", func(c *Config) { c.CredentialKeys[0] = "(?i)pass(word" }, nil, "credential_keys[0]: error parsing regexp: missing closing )"},
		{"bad SQL literal", func(c *Config) { c.SQL.StringLiteral = "'[" }, nil, "sql.string_literal: error parsing regexp"},
		{"SQL statements without a literal rule", func(c *Config) { c.SQL.StringLiteral = "" }, nil, "sql.string_literal: required"},
		{"numeric literal without a group", func(c *Config) { c.SQL.NumericLiteral = "\\d+" }, nil, "sql.numeric_literal: needs a capture group"},
		{"bad looks_like_sql", func(c *Config) { c.SQL.LooksLikeSQL = "(?i)select(" }, nil, "sql.looks_like_sql: error parsing regexp"},
		{"bad IP rule", func(c *Config) { c.ClientIP.InText[1].Pattern = "[0-9a-f" }, nil, "client_ip.in_text[1] (ipv6).pattern: error parsing regexp"},
		{"IPv4 prefix out of range", func(c *Config) { c.ClientIP.IPv4PrefixBits = 33 }, nil, "client_ip.ipv4_prefix_bits: 33 is not between 0 and 32"},
		{"IPv6 prefix out of range", func(c *Config) { c.ClientIP.IPv6PrefixBits = -1 }, nil, "client_ip.ipv6_prefix_bits: -1 is not between 0 and 128"},
		{"ignored key that must be redacted", func(c *Config) { c.IgnoredKeys = append(c.IgnoredKeys, "user.id") }, nil, `ignored_keys: "user.id" is also listed in user_ids.keys`},
		{"ignored client address", func(c *Config) { c.IgnoredKeys = append(c.IgnoredKeys, "client.address") }, nil, `ignored_keys: "client.address" is also listed in client_ip.keys`},
		{"empty key", func(c *Config) { c.MessageKeys = append([]string{""}, c.MessageKeys...) }, nil, "message_keys[0]: empty key"},
		{"empty URL key", func(c *Config) { c.URLs.Keys = append(c.URLs.Keys, "") }, nil, fmt.Sprintf("urls.keys[%d]: empty key", len(shipped(t, nil).URLs.Keys))},
		{"bad URL key pattern", func(c *Config) { c.URLs.KeyPatterns = []string{"url("} }, nil, "urls.key_patterns[0]: error parsing regexp: missing closing )"},
		{"bad query key pattern", func(c *Config) { c.Queries.KeyPatterns = []string{"[q"} }, nil, "queries.key_patterns[0]: error parsing regexp"},
		{"bad text key pattern", func(c *Config) { c.Text.KeyPatterns = append(c.Text.KeyPatterns, "(?<!x)") }, nil, "text.key_patterns[1]: error parsing regexp"},
		{"bad message key pattern", func(c *Config) { c.MessageKeyPatterns[2] = "gen_ai(" }, nil, "message_key_patterns[2]: error parsing regexp"},
		{"bad statement key pattern", func(c *Config) { c.SQL.StatementKeyPatterns = []string{"db\\"} }, nil, "sql.statement_key_patterns[0]: error parsing regexp"},
		{"bad client address key pattern", func(c *Config) { c.ClientIP.KeyPatterns[0] = "(x" }, nil, "client_ip.key_patterns[0]: error parsing regexp"},
		{"bad user id key pattern", func(c *Config) { c.UserIDs.KeyPatterns = []string{"user.("} }, nil, "user_ids.key_patterns[0]: error parsing regexp"},
		{"ignored URL key", func(c *Config) { c.IgnoredKeys = append(c.IgnoredKeys, "url.full") }, nil, `ignored_keys: "url.full" is also listed in urls.keys`},
		{"ignored query key", func(c *Config) { c.IgnoredKeys = append(c.IgnoredKeys, "url.query") }, nil, `ignored_keys: "url.query" is also listed in queries.keys`},
		{"unknown check", func(c *Config) { c.ValueRules[0].Check = "crc32" }, nil, `value_rules[0] (url-credentials).check: "crc32" is not one of de-steuer-id, es-dni, fr-nir, iban, it-codice-fiscale, luhn`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			cfg := shipped(t, env)
			if c.edit != nil {
				c.edit(cfg)
			}
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, c.want)
			}
			// The processor refuses to start with it too.
			_, err = NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(componentType), cfg, new(consumertest.TracesSink))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("CreateTraces() = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestDefaultConfigNeedsNoKey(t *testing.T) {
	// Without user-id keys there is nothing to hash and no key is needed; the defaults validate.
	if err := createDefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	if NewFactory().Type().String() != TypeStr {
		t.Fatal("wrong type")
	}
}
