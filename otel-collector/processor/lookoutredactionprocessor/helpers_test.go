package lookoutredactionprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"
)

// testHMACKey is the key the tests configure (≥ 32 bytes).
const testHMACKey = "test-only-user-id-hash-key-0123456789abcdef"

// gatewayConfig reads the lookout_redaction section of the shipped otel-collector/gateway.yaml, with ${env:…}
// references resolved from env (falling back to their defaults) and `$$` unescaped, as the collector does. The
// tests run the rules that ship, not a copy.
func gatewayConfig(t testing.TB, env map[string]string) *Config {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "gateway.yaml"))
	if err != nil {
		t.Fatalf("reading gateway.yaml: %v", err)
	}
	var doc struct {
		Processors map[string]any `yaml:"processors"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parsing gateway.yaml: %v", err)
	}
	section, ok := doc.Processors[TypeStr].(map[string]any)
	if !ok {
		t.Fatalf("gateway.yaml has no processors.%s section", TypeStr)
	}
	cfg := createDefaultConfig()
	if err := confmap.NewFromStringMap(expand(section, env).(map[string]any)).Unmarshal(cfg); err != nil {
		t.Fatalf("decoding processors.%s: %v", TypeStr, err)
	}
	return cfg
}

// expand resolves ${env:NAME} and ${env:NAME:-default} in every string, and `$$` to `$`.
func expand(v any, env map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			out[k] = expand(val, env)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = expand(val, env)
		}
		return out
	case string:
		var b strings.Builder
		for i := 0; i < len(x); i++ {
			switch {
			case strings.HasPrefix(x[i:], "$$"):
				b.WriteByte('$')
				i++
			case strings.HasPrefix(x[i:], "${env:"):
				end := strings.IndexByte(x[i:], '}')
				ref := x[i+len("${env:") : i+end]
				name, def, _ := strings.Cut(ref, ":-")
				if val, ok := env[name]; ok {
					b.WriteString(val)
				} else {
					b.WriteString(def)
				}
				i += end
			default:
				b.WriteByte(x[i])
			}
		}
		return b.String()
	default:
		return v
	}
}

// run sends td through a processor built by the factory with cfg and returns what came out.
func run(t *testing.T, cfg *Config, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config invalid: %v", err)
	}
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(componentType), cfg, sink)
	if err != nil {
		t.Fatalf("creating the processor: %v", err)
	}
	if err := p.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatalf("ConsumeTraces: %v", err)
	}
	got := sink.AllTraces()
	if len(got) != 1 {
		t.Fatalf("%d batches came out, want 1", len(got))
	}
	return got[0]
}

// place is where a test puts a value.
type place string

const (
	resourceAttr place = "resource attribute"
	scopeAttr    place = "scope attribute"
	spanAttr     place = "span attribute"
	eventAttr    place = "span event attribute"
	linkAttr     place = "link attribute"
	spanName     place = "span name"
	statusMsg    place = "status message"
	eventName    place = "event name"
)

var allPlaces = []place{resourceAttr, scopeAttr, spanAttr, eventAttr, linkAttr, spanName, statusMsg, eventName}

// textPlaces hold free text: the client IP and SQL-in-text rules apply there (and to message keys).
var textPlaces = []place{spanName, statusMsg, eventName}

// oneSpan builds a batch of one span with value put at p under key (attribute places).
func oneSpan(p place, key string, value any) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("test")
	span := ss.Spans().AppendEmpty()
	span.SetName("GET /api/v1/orders/{order_id}")
	span.Status().SetCode(ptrace.StatusCodeError)
	span.Status().SetMessage("upstream failed")
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	span.Links().AppendEmpty()
	switch p {
	case spanName:
		span.SetName(value.(string))
	case statusMsg:
		span.Status().SetMessage(value.(string))
	case eventName:
		ev.SetName(value.(string))
	default:
		if err := attrsAt(rs, ss, span, p).PutEmpty(key).FromRaw(value); err != nil {
			panic(err)
		}
	}
	return td
}

// at reads back the value at p (as a string: AsString for attributes).
func at(td ptrace.Traces, p place, key string) string {
	rs := td.ResourceSpans().At(0)
	ss := rs.ScopeSpans().At(0)
	span := ss.Spans().At(0)
	switch p {
	case spanName:
		return span.Name()
	case statusMsg:
		return span.Status().Message()
	case eventName:
		return span.Events().At(0).Name()
	}
	attrs := attrsAt(rs, ss, span, p)
	v, ok := attrs.Get(key)
	if !ok {
		return "<missing>"
	}
	return v.AsString()
}

// attrsAt is the attribute map of an attribute place, in a batch built by oneSpan (one event, one link).
func attrsAt(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span, p place) pcommon.Map {
	switch p {
	case resourceAttr:
		return rs.Resource().Attributes()
	case scopeAttr:
		return ss.Scope().Attributes()
	case spanAttr:
		return span.Attributes()
	case eventAttr:
		return span.Events().At(0).Attributes()
	case linkAttr:
		return span.Links().At(0).Attributes()
	}
	panic(fmt.Sprintf("%q is not an attribute place", p))
}
