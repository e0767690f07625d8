package lookoutredactionprocessor

import "strings"

// The URL and query policies. A URL keeps what a reader needs to know which endpoint was called — scheme, host, port
// and path — and loses what identifies a person or carries a secret: the userinfo (user:password@) is dropped, and
// the value of every query and fragment parameter becomes Mask whatever it looks like (names stay, so
// ?token=****&page=**** still says which parameters were sent). The path goes through the value rules (an e-mail
// address or a token in a path segment is masked there). Parsing is by RFC 3986's delimiters, without decoding or
// re-encoding anything, so what is kept is byte for byte what was sent; a value that is not a URL is read as a
// relative reference (its path gets the value rules), so nothing escapes the policy by being malformed.

// url redacts a URL value (absolute, scheme-relative or a request target such as http.target's "/a?b=c").
func (r *redactor) url(s string) string {
	rest := s
	var b strings.Builder
	b.Grow(len(s) + 4*len(Mask)) // masked values are usually longer than what they replace
	if i := schemeEnd(rest); i > 0 {
		b.WriteString(rest[:i])
		rest = rest[i:]
	}
	if strings.HasPrefix(rest, "//") {
		end := 2 + strings.IndexAny(rest[2:]+"/", "/?#")
		authority := rest[2:end]
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			authority = authority[at+1:]
		}
		b.WriteString("//")
		b.WriteString(authority)
		rest = rest[end:]
	}
	path, query, fragment, hasQuery, hasFragment := splitTarget(rest)
	b.WriteString(r.rules(path))
	if hasQuery {
		b.WriteByte('?')
		r.writeQuery(&b, query)
	}
	if hasFragment {
		b.WriteByte('#')
		r.writeQuery(&b, fragment)
	}
	if b.Len() == len(s) && b.String() == s {
		return s // nothing changed: keep the original, not a copy
	}
	return b.String()
}

// query redacts a query string (no leading "?"): every parameter's value becomes Mask; names, and parameters
// without a value, go through the value rules (a bare "?jane@example.com" is masked by them).
func (r *redactor) query(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	r.writeQuery(&b, s)
	if b.Len() == len(s) && b.String() == s {
		return s
	}
	return b.String()
}

// writeQuery writes the redacted query string s to b.
func (r *redactor) writeQuery(b *strings.Builder, s string) {
	for first := true; ; first = false {
		param, rest, more := strings.Cut(s, "&")
		if !first {
			b.WriteByte('&')
		}
		name, value, hasValue := strings.Cut(param, "=")
		b.WriteString(r.rules(name))
		if hasValue {
			b.WriteByte('=')
			if value != "" {
				b.WriteString(Mask)
			}
		}
		if !more {
			return
		}
		s = rest
	}
}

// schemeEnd is the length of s's "scheme:" prefix (RFC 3986: a letter, then letters, digits, "+", "-", "."), or 0.
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// splitTarget splits what follows the authority into path, query and fragment.
func splitTarget(s string) (path, query, fragment string, hasQuery, hasFragment bool) {
	path, fragment, hasFragment = strings.Cut(s, "#")
	path, query, hasQuery = strings.Cut(path, "?")
	return path, query, fragment, hasQuery, hasFragment
}
