package lookoutredactionprocessor

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"strconv"
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

// value redacts one attribute value in place; reports whether it changed. No value changes type: an array stays an
// array (each element redacted as if it were the value), a map is recursed into (its keys classified like attribute
// keys), and a number or bool under a key masked whole is zeroed.
func (r *redactor) value(key string, kind keyKind, v pcommon.Value) bool {
	switch {
	case kind&kindUserID != 0:
		return r.hashValue(v)
	case kind&kindIgnored != 0:
		return false
	case kind&kindCredential != 0:
		return maskValue(v)
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		in := v.Str()
		if out := r.stringValue(in, kind); out != in {
			v.SetStr(out)
			return true
		}
	case pcommon.ValueTypeSlice:
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
			return maskValue(v)
		}
	}
	return false
}

// maskValue masks a value whole, keeping its type: a string becomes Mask, a number 0, a bool false, bytes empty;
// every element of an array and every value of a map is masked.
func maskValue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if v.Str() == Mask {
			return false
		}
		v.SetStr(Mask)
	case pcommon.ValueTypeInt:
		if v.Int() == 0 {
			return false
		}
		v.SetInt(0)
	case pcommon.ValueTypeDouble:
		if v.Double() == 0 {
			return false
		}
		v.SetDouble(0)
	case pcommon.ValueTypeBool:
		if !v.Bool() {
			return false
		}
		v.SetBool(false)
	case pcommon.ValueTypeBytes:
		if v.Bytes().Len() == 0 {
			return false
		}
		v.SetEmptyBytes()
	case pcommon.ValueTypeSlice:
		changed := false
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			changed = maskValue(s.At(i)) || changed
		}
		return changed
	case pcommon.ValueTypeMap:
		changed := false
		for _, nested := range v.Map().All() {
			changed = maskValue(nested) || changed
		}
		return changed
	default:
		return false
	}
	return true
}

// hashValue replaces a user id by its keyed hash, keeping its type: a string becomes the HMAC in hex, an integer
// the HMAC's first 63 bits (so the same numeric id hashes alike everywhere, though not like the same id sent as a
// string); every element of an array and every value of a map is hashed. A bool or a double is no identity and is
// masked.
func (r *redactor) hashValue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		v.SetStr(hex.EncodeToString(r.userIDMAC(v.Str())))
	case pcommon.ValueTypeInt:
		sum := r.userIDMAC(strconv.FormatInt(v.Int(), 10))
		v.SetInt(int64(binary.BigEndian.Uint64(sum) >> 1))
	case pcommon.ValueTypeSlice:
		changed := false
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			changed = r.hashValue(s.At(i)) || changed
		}
		return changed
	case pcommon.ValueTypeMap:
		changed := false
		for _, nested := range v.Map().All() {
			changed = r.hashValue(nested) || changed
		}
		return changed
	default:
		return maskValue(v)
	}
	return true
}
