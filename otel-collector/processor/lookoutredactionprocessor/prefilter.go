package lookoutredactionprocessor

import (
	"math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The pre-filter: what a value must contain before a rule can match it, derived from the rule's own regular
// expression, so that one byte scan per value tells which rules can be skipped without running them.
//
// For every pattern, needsOf walks the parsed expression and collects two kinds of necessary conditions:
//   - "at least n bytes from the set S" (the e-mail rule needs one '@' and one '.'; the card rule 13 digits; the
//     IPv4 rule 4 digits and 3 dots), for sets that hold no ASCII letter — letters are in nearly every value, so a
//     condition on them would clear nothing;
//   - "contains the literal L" (eyJ, sk-, ://, AKIA…), for case-sensitive literals of two bytes or more;
//   - "contains the literal L followed by a byte from the set S", for a literal (one byte is enough) directly followed
//     by something whose first byte is known: a query-string secret needs "?" or "&" followed by the first letter of
//     one of its parameter names, so "?model=" does not run it.
// All are necessary, never sufficient: a value that meets them is still matched by the real expression. Dropping a
// condition only makes the filter weaker, never wrong, so anything the analysis does not understand adds none.

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) union(o byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3]
}
func (s *byteSet) addRange(lo, hi int) { addRange(s, lo, hi) }
func (s byteSet) asciiSize() int       { return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) }
func (s byteSet) size() int {
	return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) + bits.OnesCount64(s[2]) + bits.OnesCount64(s[3])
}

func addRange(s *byteSet, lo, hi int) {
	for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
		s.add(byte(r))
	}
	if hi >= utf8.RuneSelf {
		// Every byte of a multi-byte UTF-8 sequence is ≥ 0x80.
		for b := 0x80; b <= 0xff; b++ {
			s.add(byte(b))
		}
	}
}

// selective reports whether a condition on this set can clear ordinary values: it holds no ASCII letter.
func (s byteSet) selective() bool {
	var letters byteSet
	letters.addRange('A', 'Z')
	letters.addRange('a', 'z')
	return s[0]&letters[0] == 0 && s[1]&letters[1] == 0
}

// needs is what any match of one expression must contain.
type needs struct {
	counts   map[byteSet]int
	literals []string
	follows  []follow
}

// follow is the condition "the literal occurs followed by a byte from next".
type follow struct {
	literal string
	next    byteSet
}

func (n *needs) addCount(s byteSet, c int) {
	if c <= 0 || s.size() == 0 {
		return
	}
	if n.counts == nil {
		n.counts = map[byteSet]int{}
	}
	n.counts[s] += c
}

func (n *needs) merge(o needs, times int) {
	for s, c := range o.counts {
		n.addCount(s, c*times)
	}
	n.literals = append(n.literals, o.literals...)
	n.follows = append(n.follows, o.follows...)
}

// needsOf derives the necessary conditions of a parsed (simplified) expression.
func needsOf(re *syntax.Regexp) needs {
	var n needs
	switch re.Op {
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for _, r := range re.Rune {
			n.addCount(runeBytes(r, fold), 1)
		}
		if !fold && len(re.Rune) >= 2 {
			n.literals = append(n.literals, string(re.Rune))
		}
	case syntax.OpCharClass:
		var s byteSet
		for i := 0; i+1 < len(re.Rune); i += 2 {
			s.addRange(int(re.Rune[i]), int(re.Rune[i+1]))
		}
		n.addCount(s, 1)
	case syntax.OpCapture, syntax.OpPlus:
		n.merge(needsOf(re.Sub[0]), 1)
	case syntax.OpRepeat:
		if re.Min > 0 {
			n.merge(needsOf(re.Sub[0]), re.Min)
		}
	case syntax.OpConcat:
		for i, sub := range re.Sub {
			n.merge(needsOf(sub), 1)
			if sub.Op != syntax.OpLiteral || sub.Flags&syntax.FoldCase != 0 || i+1 == len(re.Sub) {
				continue
			}
			// Only a set that leaves out much of ASCII clears ordinary values (bytes ≥ 0x80 do not count: case folding
			// adds them for "k" and "s", whose folds include the Kelvin sign and the long s).
			if next, ok := firstBytes(re.Sub[i+1]); ok && next.asciiSize() < 64 {
				n.follows = append(n.follows, follow{literal: string(sub.Rune), next: next})
			}
		}
	case syntax.OpAlternate:
		// Each branch needs at least c_i bytes of its most selective set S_i; so the whole needs at least
		// min(c_i) bytes from the union of the S_i. A branch that needs nothing makes the whole need nothing.
		var union byteSet
		least := 0
		for i, sub := range re.Sub {
			s, c, ok := mostSelective(needsOf(sub))
			if !ok {
				return needs{}
			}
			union.union(s)
			if i == 0 || c < least {
				least = c
			}
		}
		n.addCount(union, least)
	default:
		// Stars, quests, anchors, word boundaries, any-char: nothing required.
	}
	return n
}

// firstBytes is the set the first byte of every match of re belongs to; ok is false when it is not known, or when re
// can match the empty string (then the next expression's first byte could come first).
func firstBytes(re *syntax.Regexp) (byteSet, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return byteSet{}, false
		}
		return runeBytes(re.Rune[0], re.Flags&syntax.FoldCase != 0), true
	case syntax.OpCharClass:
		var s byteSet
		for i := 0; i+1 < len(re.Rune); i += 2 {
			s.addRange(int(re.Rune[i]), int(re.Rune[i+1]))
		}
		return s, s.size() > 0
	case syntax.OpCapture, syntax.OpPlus:
		return firstBytes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return firstBytes(re.Sub[0])
		}
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return firstBytes(re.Sub[0])
		}
	case syntax.OpAlternate:
		var union byteSet
		for _, sub := range re.Sub {
			s, ok := firstBytes(sub)
			if !ok {
				return byteSet{}, false
			}
			union.union(s)
		}
		return union, true
	}
	return byteSet{}, false
}

// mostSelective picks the condition of n on the smallest set (then the highest count).
func mostSelective(n needs) (byteSet, int, bool) {
	var best byteSet
	bestCount, found := 0, false
	for s, c := range n.counts {
		if !found || s.size() < best.size() || (s.size() == best.size() && c > bestCount) {
			best, bestCount, found = s, c, true
		}
	}
	return best, bestCount, found
}

// runeBytes is the set one of whose bytes a rune's encoding contains.
func runeBytes(r rune, fold bool) byteSet {
	var s byteSet
	if r >= utf8.RuneSelf {
		s.addRange(0x80, 0x10ffff)
		return s
	}
	s.add(byte(r))
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				s.add(byte(f))
			} else {
				s.addRange(0x80, 0x10ffff) // e.g. the Kelvin sign folds to k
			}
		}
	}
	return s
}

// maxClasses bounds the byte sets one scan counts (bits of a uint64); further conditions are dropped (sound).
const maxClasses = 64

// scanner counts, in one pass over a value, the bytes of every byte set some rule needs.
type scanner struct {
	classes []byteSet
	member  [256]uint64 // bit i set: the byte is in classes[i]
}

// classIndex returns the index of a byte set, adding it if there is room.
func (sc *scanner) classIndex(s byteSet) (int, bool) {
	for i, c := range sc.classes {
		if c == s {
			return i, true
		}
	}
	if len(sc.classes) == maxClasses {
		return 0, false
	}
	sc.classes = append(sc.classes, s)
	i := len(sc.classes) - 1
	for b := 0; b < 256; b++ {
		if s.has(byte(b)) {
			sc.member[b] |= 1 << i
		}
	}
	return i, true
}

// features is what one scan found in a value.
type features struct {
	counts [maxClasses]int32
}

func (sc *scanner) scan(s string, f *features) {
	clear(f.counts[:len(sc.classes)])
	for i := 0; i < len(s); i++ {
		for m := sc.member[s[i]]; m != 0; m &= m - 1 {
			f.counts[bits.TrailingZeros64(m)]++
		}
	}
}

// rule is one compiled pattern with its pre-filter.
type rule struct {
	name     string
	re       *regexp.Regexp
	counts   []classCount
	literals []string
	follows  []follow
	check    func(string) bool // nil: every match is replaced; else only matches that pass it
}

type classCount struct {
	class int
	n     int32
}

// newRule compiles a pattern and registers the byte sets its pre-filter needs with the scanner.
func newRule(name, pattern string, sc *scanner) (*rule, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	n := needsOf(parsed.Simplify())
	r := &rule{name: name, re: re}
	for s, c := range n.counts {
		if !s.selective() {
			continue
		}
		if i, ok := sc.classIndex(s); ok {
			r.counts = append(r.counts, classCount{class: i, n: int32(c)})
		}
	}
	for _, l := range n.literals {
		if !contains(r.literals, l) {
			r.literals = append(r.literals, l)
		}
	}
	r.follows = n.follows
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// possible reports whether the value (whose scan is f) meets every condition the rule's matches need.
func (r *rule) possible(s string, f *features) bool {
	for _, c := range r.counts {
		if f.counts[c.class] < c.n {
			return false
		}
	}
	for _, l := range r.literals {
		if !strings.Contains(s, l) {
			return false
		}
	}
	for _, fl := range r.follows {
		if !followed(s, fl) {
			return false
		}
	}
	return true
}

// followed reports whether s contains fl.literal directly followed by a byte of fl.next.
func followed(s string, fl follow) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], fl.literal)
		if i < 0 {
			return false
		}
		end := from + i + len(fl.literal)
		if end < len(s) && fl.next.has(s[end]) {
			return true
		}
		from += i + 1
	}
}
