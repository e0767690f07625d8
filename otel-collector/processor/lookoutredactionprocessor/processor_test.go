package lookoutredactionprocessor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

func shipped(t testing.TB, env map[string]string) *Config {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["LOOKOUT_USER_ID_HASH_KEY"]; !ok {
		env["LOOKOUT_USER_ID_HASH_KEY"] = testHMACKey
	}
	return gatewayConfig(t, env)
}

// piiCase is one value that must not survive: secret is the part that must be gone (defaults to value).
type piiCase struct {
	kind, value, secret string
}

// Every kind the value rules promise, as in test/collector/corpus.ts and more (every provider prefix).
var piiCases = []piiCase{
	{"email", "jane.doe@example.com", ""},
	{"email", "J.Smith+billing@corp.example.co.uk", ""},
	{"email", "x@y.io", ""},
	{"payment card", "4111111111111111", ""},
	{"payment card", "4111 1111 1111 1111", ""},
	{"payment card", "5500-0000-0000-0004", ""},
	{"payment card", "378282246310005", ""},
	{"JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", ""},
	{"JWT", "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIn0.", "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIn0"},
	{"bearer", "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
	{"bearer", "bearer abc.DEF-ghi_jkl~mno/pqr+stu=", "abc.DEF-ghi_jkl~mno/pqr+stu"},
	{"basic", "Authorization: Basic YWxpY2U6czNjcjN0LXBhc3M=", "YWxpY2U6czNjcjN0LXBhc3M"},
	{"API key", "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", ""},
	{"API key", "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx", ""},
	{"API key", "sk_live_51HxYzAbCdEfGhIjKlMn", ""},
	{"API key", "rk_test_51HxYzAbCdEfGhIjKlMn", ""},
	{"API key", "AKIAIOSFODNN7EXAMPLE", ""},
	{"API key", "AIzaSyA-1234567890abcdefghijklmnopqrstu", ""},
	{"API key", "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", ""},
	{"API key", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", ""},
	{"API key", "xoxb-1234567890-abcdefghij", ""},
	{"API key", "glpat-AbCdEfGhIjKlMnOpQrSt", ""},
	{"API key", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123", ""},
	{"phone", "+44 20 7946 0958", ""},
	{"phone", "+1 (415) 555-0132", ""},
	{"phone", "+4915123456789", ""},
	{"phone", "(212) 555-0199", ""},
	{"phone", "646.555.0123", ""},
	{"query secret", "https://relaycore.internal/cb?token=tk9f8e7d6c5b4a&page=2", "tk9f8e7d6c5b4a"},
	{"query secret", "https://api.example.net/v1/x?api_key=ak_55aa66bb77cc", "ak_55aa66bb77cc"},
	{"query secret", "https://sso.example.net/login?user=bob&password=Hunter2Hunter2", "Hunter2Hunter2"},
	{"query secret", "https://files.example.net/f.pdf?X-Amz-Date=1&sig=Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4"},
	{"URL credentials", "postgres://app:S3cr3tPassw0rd@db.internal:5432/app", "S3cr3tPassw0rd"},
	{"URL credentials", "redis://default:r3d1sPw_x@cache.internal:6379", "r3d1sPw_x"},
}

func embedded(v string) string {
	return "while handling workflow wf_01HZX3K8Q4 got " + v + " from upstream"
}

func TestEveryValueRuleInEveryPlace(t *testing.T) {
	cfg := shipped(t, nil)
	for _, c := range piiCases {
		secret := c.secret
		if secret == "" {
			secret = c.value
		}
		for _, p := range allPlaces {
			for _, form := range []string{c.value, embedded(c.value)} {
				t.Run(fmt.Sprintf("%s in %s: %s", c.kind, p, form), func(t *testing.T) {
					got := at(run(t, cfg, oneSpan(p, "customer.note", form)), p, "customer.note")
					if strings.Contains(got, secret) || !strings.Contains(got, Mask) {
						t.Errorf("got %q, want %q masked", got, secret)
					}
				})
			}
		}
	}
}

// Non-PII values, as test/collector/corpus.ts sends them: each must come through every place exactly.
var controls = []string{
	"/api/v1/workflows/{workflow_id}/runs",
	"POST",
	"gpt-4o-mini-2024-07-18",
	"wf_01HZX3K8Q4",
	"relaycore.internal",
	"https://relaycore.internal/v1/route?model=gpt-4o&page=2&limit=50",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36",
	"0af7651916cd43dd8448eb211c80319c",
	"123e4567-e89b-12d3-a456-426614174000",
	"2026-11-27T21:28:03.123Z",
	"1234.56",
	"retry 3 of 5 after 250ms",
	"SELECT id FROM users WHERE id = $1",
	"/var/lib/lookout/data/collector",
	"relaycore-7d9f8b6c5-x2x9z",
	"models:v2",
	"POST /api/v1/workflows/{workflow_id}/runs",
	"upstream deadline exceeded after 30s",
	"SELECT orders",
	"connection reset by peer",
	"rate limited: retry after 250ms",
	"HTTP 503 from neuroweaver",
	"redis GET models:v2",
	"timeout after 1500 ms on attempt 3",
	"validation failed: field amount must be > 0",
	"okey-dokey-0",
	"user 'bob' signed in", // quotes, but not SQL
	"",
}

// attributeOnlyControls are kept in attributes; in free text their "120.0.0.0" is shaped like an IP address.
var attributeOnlyControls = map[string]bool{
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.0.0 Safari/537.36": true,
}

func TestNonPIIUntouchedEverywhere(t *testing.T) {
	cfg := shipped(t, nil)
	for _, v := range controls {
		for _, p := range allPlaces {
			if attributeOnlyControls[v] && (p == spanName || p == statusMsg || p == eventName) {
				continue
			}
			t.Run(fmt.Sprintf("%s: %q", p, v), func(t *testing.T) {
				if got := at(run(t, cfg, oneSpan(p, "app.note", v)), p, "app.note"); got != v {
					t.Errorf("got %q, want it unchanged", got)
				}
			})
		}
	}
	// Non-string values of ordinary keys are not touched either.
	for _, v := range []any{int64(4111111111111111), 0.0125, true, []byte("x@y.io")} {
		td := run(t, cfg, oneSpan(spanAttr, "order.number", v))
		got, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("order.number")
		if got.AsRaw() == nil || fmt.Sprint(got.AsRaw()) != fmt.Sprint(v) {
			t.Errorf("%T %v became %v", v, v, got.AsRaw())
		}
	}
}

func TestIgnoredKeysAreNotScanned(t *testing.T) {
	cfg := shipped(t, nil)
	got := at(run(t, cfg, oneSpan(spanAttr, "gen_ai.request.model", "jane@example.com")), spanAttr, "gen_ai.request.model")
	if got != "jane@example.com" {
		t.Errorf("ignored key changed to %q", got)
	}
}

func hmacHex(v string) string {
	h := hmac.New(sha256.New, []byte(testHMACKey))
	h.Write([]byte(v))
	return hex.EncodeToString(h.Sum(nil))
}

func TestUserIDsBecomeKeyedHashes(t *testing.T) {
	cfg := shipped(t, nil)
	attrPlaces := []place{resourceAttr, scopeAttr, spanAttr, eventAttr, linkAttr}
	for _, key := range []string{"user.id", "enduser.id", "user_id", "userId"} {
		for _, id := range []any{"user-42", "alice@example.com", int64(9001)} {
			for _, p := range attrPlaces {
				got := at(run(t, cfg, oneSpan(p, key, id)), p, key)
				want := hmacHex(fmt.Sprint(id))
				if n, ok := id.(int64); ok {
					// An integer id stays an integer: the HMAC's first 63 bits.
					sum, _ := hex.DecodeString(hmacHex(fmt.Sprint(n)))
					want = fmt.Sprint(int64(binary.BigEndian.Uint64(sum) >> 1))
				}
				if got != want {
					t.Errorf("%s %v in %s: got %q, want HMAC %q", key, id, p, got, want)
				}
			}
		}
	}
}

func TestCredentialKeysMaskedWhole(t *testing.T) {
	cfg := shipped(t, nil)
	for _, key := range []string{
		"http.request.header.authorization", "http.request.header.cookie", "db.password", "app.client_secret",
		"provider.api_key", "provider.API-KEY", "refresh_token", "Set-Cookie",
	} {
		// Masked whole, and of the type it came in (a string array stays one, as semconv headers are).
		for v, want := range map[any]string{
			"plain-looking-value-123": Mask,
			int64(123456):             "0",
		} {
			for _, p := range []place{resourceAttr, spanAttr, eventAttr, linkAttr} {
				if got := at(run(t, cfg, oneSpan(p, key, v)), p, key); got != want {
					t.Errorf("%s = %v in %s: got %q, want %q", key, v, p, got, want)
				}
			}
		}
		for _, p := range []place{resourceAttr, spanAttr, eventAttr, linkAttr} {
			if got := at(run(t, cfg, oneSpan(p, key, []any{"a", "b"})), p, key); got != `["****","****"]` {
				t.Errorf("%s = [a b] in %s: got %s", key, p, got)
			}
		}
	}
	// Nested in a map value, under its own key.
	td := run(t, cfg, oneSpan(spanAttr, "http.request.headers", map[string]any{"authorization": "Token abc", "accept": "*/*"}))
	v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("http.request.headers")
	if got := v.AsRaw(); fmt.Sprint(got) != fmt.Sprint(map[string]any{"authorization": Mask, "accept": "*/*"}) {
		t.Errorf("nested: got %v", got)
	}
	// Not a credential key: "keyboard" contains "key" but is not api_key.
	if got := at(run(t, cfg, oneSpan(spanAttr, "keyboard.layout", "de")), spanAttr, "keyboard.layout"); got != "de" {
		t.Errorf("keyboard.layout: got %q", got)
	}
}

func TestSliceElementsAreScanned(t *testing.T) {
	cfg := shipped(t, nil)
	td := run(t, cfg, oneSpan(spanAttr, "mail.recipients", []any{"team", "jane.doe@example.com"}))
	v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("mail.recipients")
	if got := fmt.Sprint(v.AsRaw()); got != "[team ****]" {
		t.Errorf("got %s", got)
	}
}

func TestSQLLiterals(t *testing.T) {
	cfg := shipped(t, nil)
	statement := "SELECT * FROM customers WHERE name = 'O''Brien-5520' AND tier = 'gold' AND balance > 10.5 AND id = 4242424242"
	for _, key := range []string{"db.query.text", "db.statement"} {
		for _, p := range []place{spanAttr, eventAttr} {
			got := at(run(t, cfg, oneSpan(p, key, statement)), p, key)
			if want := "SELECT * FROM customers WHERE name = ? AND tier = ? AND balance > ? AND id = ?"; got != want {
				t.Errorf("%s in %s: got %q, want %q", key, p, got, want)
			}
		}
	}
	for _, placeholders := range []string{"SELECT id FROM users WHERE id = $1 AND org = :org", "SELECT name FROM t1 WHERE x = ?"} {
		if got := at(run(t, cfg, oneSpan(spanAttr, "db.query.text", placeholders)), spanAttr, "db.query.text"); got != placeholders {
			t.Errorf("placeholders changed: %q", got)
		}
	}
	// Free text that is SQL: string literals.
	for _, p := range textPlaces {
		got := at(run(t, cfg, oneSpan(p, "", "SELECT * FROM t WHERE name = 'Jane Roe-7731'")), p, "")
		if got != "SELECT * FROM t WHERE name = ?" {
			t.Errorf("%s: got %q", p, got)
		}
	}
	msg := "syntax error in SELECT * FROM t WHERE name = 'Jane Roe-7731'"
	if got := at(run(t, cfg, oneSpan(eventAttr, "exception.message", msg)), eventAttr, "exception.message"); got != "syntax error in SELECT * FROM t WHERE name = ?" {
		t.Errorf("exception.message: got %q", got)
	}
}

func TestClientIPPolicy(t *testing.T) {
	keys := []string{"client.address", "http.client_ip", "net.sock.peer.addr"}
	inText := "too many requests from 203.0.113.77 and 2001:db8:85a3::8a2e:370:7334"
	textPlacesAndMessage := func(t *testing.T, cfg *Config, want string) {
		t.Helper()
		for _, p := range textPlaces {
			if got := at(run(t, cfg, oneSpan(p, "", inText)), p, ""); got != want {
				t.Errorf("%s: got %q, want %q", p, got, want)
			}
		}
		if got := at(run(t, cfg, oneSpan(eventAttr, "exception.message", inText)), eventAttr, "exception.message"); got != want {
			t.Errorf("exception.message: got %q, want %q", got, want)
		}
	}
	masked := "too many requests from **** and ****"

	t.Run("mask", func(t *testing.T) {
		cfg := shipped(t, nil)
		for _, key := range keys {
			for _, p := range []place{spanAttr, eventAttr, resourceAttr} {
				if got := at(run(t, cfg, oneSpan(p, key, "203.0.113.77")), p, key); got != Mask {
					t.Errorf("%s in %s: got %q", key, p, got)
				}
			}
		}
		textPlacesAndMessage(t, cfg, masked)
		// An address in an ordinary attribute is not a client's (server.address) and is kept.
		if got := at(run(t, cfg, oneSpan(spanAttr, "server.address", "10.1.2.3")), spanAttr, "server.address"); got != "10.1.2.3" {
			t.Errorf("server.address: got %q", got)
		}
	})
	t.Run("truncate", func(t *testing.T) {
		cfg := shipped(t, map[string]string{"LOOKOUT_CLIENT_IP_POLICY": "truncate"})
		for in, want := range map[string]string{
			"203.0.113.77":                    "203.0.113.0",
			"198.51.100.23:51234":             "198.51.100.0",
			"2001:db8:85a3:0:0:8a2e:370:7334": "2001:db8:85a3::",
			"[2001:db8:85a3::1]:443":          "2001:db8:85a3::",
			"::ffff:203.0.113.77":             "203.0.113.0",
			"not an address":                  Mask,
		} {
			for _, key := range keys {
				if got := at(run(t, cfg, oneSpan(spanAttr, key, in)), spanAttr, key); got != want {
					t.Errorf("%s = %q: got %q, want %q", key, in, got, want)
				}
			}
		}
		textPlacesAndMessage(t, cfg, masked)
	})
	t.Run("keep", func(t *testing.T) {
		cfg := shipped(t, map[string]string{"LOOKOUT_CLIENT_IP_POLICY": "keep"})
		for _, key := range keys {
			if got := at(run(t, cfg, oneSpan(spanAttr, key, "198.51.100.23")), spanAttr, key); got != "198.51.100.23" {
				t.Errorf("%s: got %q", key, got)
			}
		}
		textPlacesAndMessage(t, cfg, inText)
	})
}

func TestSummary(t *testing.T) {
	for _, level := range []string{"info", "debug"} {
		cfg := shipped(t, map[string]string{"LOOKOUT_REDACTION_SUMMARY": level})
		td := oneSpan(spanAttr, "customer.contact", "jane@example.com")
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		span.SetName("call jane@example.com")
		span.Attributes().PutStr("http.route", "/x")
		attrs := run(t, cfg, td).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
		count, _ := attrs.Get(summaryCountKey)
		if count.Int() != 2 {
			t.Errorf("%s: %s = %v, want 2", level, summaryCountKey, count.AsRaw())
		}
		keys, ok := attrs.Get(summaryKeysKey)
		if level == "debug" && keys.Str() != "(span name),customer.contact" {
			t.Errorf("debug: %s = %q", summaryKeysKey, keys.Str())
		}
		if level == "info" && ok {
			t.Errorf("info: %s present", summaryKeysKey)
		}
	}
	cfg := shipped(t, nil)
	attrs := run(t, cfg, oneSpan(spanAttr, "customer.contact", "jane@example.com")).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	if _, ok := attrs.Get(summaryCountKey); ok {
		t.Errorf("silent: %s present", summaryCountKey)
	}
}
