package lookoutredactionprocessor

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// spanValue runs one span attribute through the shipped configuration and returns what came out.
func spanValue(t *testing.T, cfg *Config, key string, value any) pcommon.Value {
	t.Helper()
	td := run(t, cfg, oneSpan(spanAttr, key, value))
	v, ok := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get(key)
	if !ok {
		t.Fatalf("%s is gone", key)
	}
	return v
}

func TestURLsKeepEndpointAndLoseCredentialsAndQueryValues(t *testing.T) {
	cfg := shipped(t, nil)
	cases := map[string]string{
		"https://user:S3cret@api.example.com/login?token=tk9f8e7d6c5b4a&page=2":     "https://api.example.com/login?token=****&page=****",
		"https://api.example.com:8443/v1/users/jane@example.com/orders?x=1#frag":    "https://api.example.com:8443/v1/users/****/orders?x=****#frag",
		"https://app.example.com/callback#access_token=eyJhbGciOi.eyJzdWIiOi.sig&s": "https://app.example.com/callback#access_token=****&s",
		"http://[2001:db8::1]:8080/health":                                          "http://[2001:db8::1]:8080/health",
		"https://relaycore.internal/v1/route":                                       "https://relaycore.internal/v1/route",
		"/search?q=jane%40example.com&page=2":                                       "/search?q=****&page=****",
		"//cdn.example.com/a.js?v=3":                                                "//cdn.example.com/a.js?v=****",
		"postgres://app:S3cr3tPassw0rd@db.internal:5432/app":                        "postgres://db.internal:5432/app",
		"not a URL, call 536-22-1234":                                               "not a URL, call ****",
		"":                                                                          "",
	}
	for _, key := range []string{"url.full", "url.original", "http.url", "http.target", "aws.sqs.queue.url", "vcs.repository.url.full"} {
		for in, want := range cases {
			if got := spanValue(t, cfg, key, in).Str(); got != want {
				t.Errorf("%s = %q: got %q, want %q", key, in, got, want)
			}
		}
	}
}

func TestQueriesLoseEveryValue(t *testing.T) {
	cfg := shipped(t, nil)
	for in, want := range map[string]string{
		"token=tk9f8e7d6c5b4a&page=2":    "token=****&page=****",
		"q=hello&empty=&flag":            "q=****&empty=&flag",
		"jane@example.com&limit=5":       "****&limit=****",
		"model=gpt-4o":                   "model=****",
		"":                               "",
		"access_token=eyJh.eyJz.c&x=y=z": "access_token=****&x=****",
	} {
		for _, key := range []string{"url.query", "url.fragment"} {
			if got := spanValue(t, cfg, key, in).Str(); got != want {
				t.Errorf("%s = %q: got %q, want %q", key, in, got, want)
			}
		}
	}
}

// The semconv header attributes are string arrays: they stay arrays, each element redacted by the header's policy.
func TestHeadersStayArraysWithThePolicyOfTheirName(t *testing.T) {
	cfg := shipped(t, nil)
	cases := []struct {
		key  string
		in   []any
		want string
	}{
		{"http.request.header.authorization", []any{"Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"}, `["****"]`},
		{"http.request.header.cookie", []any{"sid=abc; theme=dark"}, `["****"]`},
		{"http.response.header.set-cookie", []any{"sid=abc", "csrf=def"}, `["****","****"]`},
		{"http.request.header.proxy-authorization", []any{"Basic YWxpY2U6cw=="}, `["****"]`},
		{"http.request.header.x-api-key", []any{"k-123"}, `["****"]`},
		{"http.request.header.x-auth-token", []any{"t-123"}, `["****"]`},
		{"http.response.header.www-authenticate", []any{`Bearer realm="x"`}, `["****"]`},
		{"rpc.request.header.authorization", []any{"t"}, `["****"]`},
		{"http.request.header.x-forwarded-for", []any{"203.0.113.7, 10.0.0.1"}, `["****"]`},
		// OpenTelemetry Python writes header names with "_" for "-".
		{"http.request.header.x_forwarded_for", []any{"203.0.113.7"}, `["****"]`},
		{"http.request.header.x_api_key", []any{"k-123"}, `["****"]`},
		{"http.response.header.set_cookie", []any{"sid=abc"}, `["****"]`},
		{"http.request.header.x_auth_token", []any{"t-123"}, `["****"]`},
		{"rpc.grpc.request.metadata.authorization", []any{"Bearer t"}, `["****"]`},
		{"http.request.header.referer", []any{"https://shop.example.com/cart?coupon=JANE10"}, `["https://shop.example.com/cart?coupon=****"]`},
		{"http.request.header.x-request-id", []any{"jane.doe@example.com"}, `["****"]`},
		{"http.request.header.user-agent", []any{"Mozilla/5.0 (X11; Linux x86_64)"}, `["Mozilla/5.0 (X11; Linux x86_64)"]`},
		{"http.request.header.content-type", []any{"application/json"}, `["application/json"]`},
	}
	for _, c := range cases {
		v := spanValue(t, cfg, c.key, c.in)
		if v.Type() != pcommon.ValueTypeSlice || v.AsString() != c.want {
			t.Errorf("%s = %v: got %s %s, want the array %s", c.key, c.in, v.Type(), v.AsString(), c.want)
		}
	}
}

// No policy changes a value's type.
func TestTypesAreKept(t *testing.T) {
	cfg := shipped(t, nil)
	cases := []struct {
		key      string
		in       any
		wantType pcommon.ValueType
		want     string
	}{
		{"app.contacts", []any{"team", "jane.doe@example.com", int64(4), true, 1.5}, pcommon.ValueTypeSlice, `["team","****",4,true,1.5]`},
		{"app.ids", []any{"536-22-1234", "DE89 3704 0044 0532 0130 00"}, pcommon.ValueTypeSlice, `["****","****"]`},
		{"app.order", map[string]any{"note": "SSN 536-22-1234", "count": int64(3), "password": "x", "token": int64(77)},
			pcommon.ValueTypeMap, `{"count":3,"note":"SSN ****","password":"****","token":77}`},
		{"app.password", int64(123456), pcommon.ValueTypeInt, "0"},
		{"app.password", 12.5, pcommon.ValueTypeDouble, "0"},
		{"app.password", true, pcommon.ValueTypeBool, "false"},
		{"app.password", []any{int64(1), "x"}, pcommon.ValueTypeSlice, `[0,"****"]`},
		{"client.address", int64(3405803777), pcommon.ValueTypeInt, "0"},
		{"db.query.parameter.name", "Jane Roe", pcommon.ValueTypeStr, Mask},
		{"db.query.parameter.id", int64(42), pcommon.ValueTypeInt, "0"},
		{"order.total", int64(4111111111111111), pcommon.ValueTypeInt, "4111111111111111"},
		{"user.id", []any{"u-1", "u-2"}, pcommon.ValueTypeSlice, fmt.Sprintf(`["%s","%s"]`, hmacHex("u-1"), hmacHex("u-2"))},
		{"user.email", "jane@example.com", pcommon.ValueTypeStr, hmacHex("jane@example.com")},
		{"user.full_name", "Jane Roe", pcommon.ValueTypeStr, hmacHex("Jane Roe")},
	}
	for _, c := range cases {
		v := spanValue(t, cfg, c.key, c.in)
		if v.Type() != c.wantType || v.AsString() != c.want {
			t.Errorf("%s = %v: got %s %s, want %s %s", c.key, c.in, v.Type(), v.AsString(), c.wantType, c.want)
		}
	}
}

// Free text by convention (bodies, prompts, stack traces) gets the value rules, SQL literals and IP addresses;
// names and hosts the value rules only.
func TestFreeTextAndNames(t *testing.T) {
	cfg := shipped(t, nil)
	prompt := `[{"role":"user","content":"my IBAN is DE89 3704 0044 0532 0130 00, from 203.0.113.77"}]`
	for _, key := range []string{"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.prompt", "gen_ai.system_instructions",
		"http.request.body.content", "messaging.kafka.message.body", "exception.stacktrace"} {
		if got := spanValue(t, cfg, key, prompt).Str(); got != `[{"role":"user","content":"my IBAN is ****, from ****"}]` {
			t.Errorf("%s: got %s", key, got)
		}
	}
	for _, key := range []string{"server.address", "destination.address", "url.path", "http.route"} {
		for in, want := range map[string]string{"10.1.2.3": "10.1.2.3", "api.example.com": "api.example.com", "/u/jane@example.com": "/u/****"} {
			if got := spanValue(t, cfg, key, in).Str(); got != want {
				t.Errorf("%s = %q: got %q, want %q", key, in, got, want)
			}
		}
	}
	for _, key := range []string{"network.peer.address", "source.address", "client.mac.address"} {
		if got := spanValue(t, cfg, key, "203.0.113.77").Str(); got != Mask {
			t.Errorf("%s: got %q", key, got)
		}
	}
}

// Exact keys and key patterns combine; the policy that applies is the strongest.
func TestKeyClassification(t *testing.T) {
	r, err := compile(shipped(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]keyKind{
		"url.full":                            kindURL,
		"url.query":                           kindQuery,
		"http.request.header.authorization":   kindCredential | kindText,
		"http.request.header.referer":         kindURL | kindText,
		"http.request.header.x-forwarded-for": kindClientIP | kindText,
		"http.request.header.accept":          kindText,
		"db.query.text":                       kindStatement,
		"db.query.parameter.0":                kindCredential,
		"exception.message":                   kindMessage,
		"gen_ai.input.messages":               kindMessage,
		"user.email":                          kindUserID,
		"url.scheme":                          kindIgnored,
		"app.note":                            0,
	} {
		if got := r.kind(key); got != want {
			t.Errorf("kind(%q) = %b, want %b", key, got, want)
		}
	}
}
