package lookoutredactionprocessor

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const (
	summaryCountKey = "redaction.masked.count"
	summaryKeysKey  = "redaction.masked.keys"
)

// Pseudo-keys under which the debug summary lists a changed span name, status message or event name.
const (
	nameKey          = "(span name)"
	statusMessageKey = "(status message)"
	eventNameKey     = "(event name)"
)

// processTraces redacts every place a value can hide, in one pass per span.
func (r *redactor) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		r.attributes(rs.Resource().Attributes(), nil)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			r.attributes(ss.Scope().Attributes(), nil)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				r.span(spans.At(k))
			}
		}
	}
	return td, nil
}

func (r *redactor) span(span ptrace.Span) {
	var changed []string // names and messages changed, for the summary on the span's attributes
	track := r.summary != summarySilent
	if name := span.Name(); name != "" {
		if out := r.text(name); out != name {
			span.SetName(out)
			if track {
				changed = append(changed, nameKey)
			}
		}
	}
	if msg := span.Status().Message(); msg != "" {
		if out := r.text(msg); out != msg {
			span.Status().SetMessage(out)
			if track {
				changed = append(changed, statusMessageKey)
			}
		}
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		e := events.At(i)
		if name := e.Name(); name != "" {
			if out := r.text(name); out != name {
				e.SetName(out)
				if track {
					changed = append(changed, eventNameKey)
				}
			}
		}
		r.attributes(e.Attributes(), nil)
	}
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		r.attributes(links.At(i).Attributes(), nil)
	}
	r.attributes(span.Attributes(), changed)
}

// attributes redacts one attribute set; with a summary configured it records what changed (plus alsoChanged).
func (r *redactor) attributes(m pcommon.Map, alsoChanged []string) {
	var changed []string
	track := r.summary != summarySilent
	for key, v := range m.All() {
		if r.value(key, r.kind(key), v) && track {
			changed = append(changed, key)
		}
	}
	if !track {
		return
	}
	changed = append(changed, alsoChanged...)
	if len(changed) == 0 {
		return
	}
	count := int64(len(changed))
	if prev, ok := m.Get(summaryCountKey); ok {
		count += prev.Int()
	}
	m.PutInt(summaryCountKey, count)
	if r.summary == summaryDebug {
		if prev, ok := m.Get(summaryKeysKey); ok && prev.Str() != "" {
			changed = append(changed, strings.Split(prev.Str(), ",")...)
		}
		m.PutStr(summaryKeysKey, strings.Join(sortedKeys(changed), ","))
	}
}

// value redacts one attribute value in place; reports whether it changed.
func (r *redactor) value(key string, kind keyKind, v pcommon.Value) bool {
	switch {
	case kind&kindUserID != 0:
		v.SetStr(r.hashUserID(v.AsString()))
		return true
	case kind&kindIgnored != 0:
		return false
	case kind&kindCredential != 0:
		if v.Type() == pcommon.ValueTypeStr && v.Str() == Mask {
			return false
		}
		v.SetStr(Mask)
		return true
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		in := v.Str()
		if out := r.stringValue(in, kind); out != in {
			v.SetStr(out)
			return true
		}
	case pcommon.ValueTypeSlice:
		// Every element as if it were the value itself.
		changed := false
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			changed = r.value(key, kind, s.At(i)) || changed
		}
		return changed
	case pcommon.ValueTypeMap:
		// Nested keys are classified like attribute keys (a nested "authorization" is masked whole).
		changed := false
		for k, nested := range v.Map().All() {
			changed = r.value(k, r.kind(k), nested) || changed
		}
		return changed
	default:
		if kind&kindClientIP != 0 && r.policy == policyMask {
			v.SetStr(Mask)
			return true
		}
	}
	return false
}
