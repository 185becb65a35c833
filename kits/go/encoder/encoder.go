// Package encoder writes exactly the bytes JavaScript's JSON.stringify writes, for values read the way JSON.parse
// reads them. Horneross signs JSON.stringify(payload): a Go sender must sign and send those very bytes, and Go's
// encoding/json does not write them (it sorts map keys, escapes <, >, &, U+2028 and U+2029, and its decoder
// replaces a lone surrogate with U+FFFD). The rules, from ECMAScript:
//
//   - A number is a float64, whatever its literal: 1.0 is 1, 9007199254740993 is 9007199254740992, 1e400 is
//     Infinity, written null. Numbers are written as Number.prototype.toString writes them: the shortest digits
//     that read back as the same float64, in plain digits from 1e-6 up to 1e21, in exponent form outside (1e+21,
//     1e-7), and -0 as 0.
//   - An object keeps its keys in JavaScript's order: keys that are array indexes (canonical decimals from 0 to
//     4294967294) first, in ascending numeric order, then the others in the order they were first set. A key set
//     twice keeps its first position and takes its last value, as a duplicate key in JSON.parse.
//   - A string is written raw in UTF-8 except for " and \ (escaped), \b \f \n \r \t, the other characters below
//     U+0020 (\u00XX, lowercase hex) and lone surrogates (\udXXX, lowercase hex). Everything else is raw: '/',
//     <, >, &, U+007F, U+2028, U+2029, every non-ASCII character.
//
// Lone surrogates. JavaScript strings are UTF-16 and may hold half of a surrogate pair (a message cut in the middle
// of an emoji): JSON.parse keeps "\ud83d" and JSON.stringify writes it back as the six characters \ud83d. A Go
// string is bytes, and UTF-8 has no encoding for a surrogate, so Parse keeps one as the three bytes WTF-8 gives it
// (ED A0 BD for \ud83d), and Stringify writes those three bytes back as the escape. Such a string is not valid
// UTF-8: keep it inside this package's values, from Parse to Stringify.
//
// This file is the whole encoder: Parse, Stringify and Object, with nothing but the standard library.
package encoder

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Value is one JSON value as JSON.parse makes it: nil (null), bool, float64, string, []Value or *Object.
// Stringify also takes the other Go integer and float types (as a JavaScript Number would hold them) and []any.
type Value = any

// MaxDepth bounds how deeply Parse nests, as encoding/json does, so that hostile JSON cannot exhaust the stack.
const MaxDepth = 10000

// Object is a JavaScript object made by JSON.parse: string keys, each once, in JavaScript's own order.
type Object struct {
	order  []string // first-set order
	values map[string]Value
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{values: map[string]Value{}} }

// Set gives key a value. A key set before keeps its first position, as a duplicate key does in JSON.parse.
func (o *Object) Set(key string, value Value) {
	if _, seen := o.values[key]; !seen {
		o.order = append(o.order, key)
	}
	o.values[key] = value
}

// Get returns the value of key, and whether the object has it.
func (o *Object) Get(key string) (Value, bool) {
	value, ok := o.values[key]
	return value, ok
}

// Len is the number of keys.
func (o *Object) Len() int { return len(o.order) }

// Keys returns the keys in the order JSON.stringify writes them: array indexes first, ascending, then the others
// in the order they were first set.
func (o *Object) Keys() []string {
	var indexes, others []string
	for _, key := range o.order {
		if _, ok := arrayIndex(key); ok {
			indexes = append(indexes, key)
		} else {
			others = append(others, key)
		}
	}
	sort.Slice(indexes, func(i, j int) bool {
		a, _ := arrayIndex(indexes[i])
		b, _ := arrayIndex(indexes[j])
		return a < b
	})
	return append(indexes, others...)
}

// arrayIndex reports whether key is an ECMAScript array index: "0", or ASCII digits without a leading zero, up to
// 4294967294 (2^32 - 2). "01", "-1", "1.0", " 1" and 4294967295 are ordinary keys.
func arrayIndex(key string) (uint64, bool) {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(key[i]-'0')
	}
	return n, n <= 4294967294
}

// Stringify returns the UTF-8 bytes of JSON.stringify(value).
func Stringify(value Value) ([]byte, error) {
	var out strings.Builder
	if err := write(&out, value); err != nil {
		return nil, err
	}
	return []byte(out.String()), nil
}

func write(out *strings.Builder, value Value) error {
	switch v := value.(type) {
	case nil:
		out.WriteString("null")
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case float64:
		out.WriteString(Number(v))
	case float32:
		out.WriteString(Number(float64(v)))
	case int:
		out.WriteString(Number(float64(v)))
	case int64:
		out.WriteString(Number(float64(v)))
	case int32:
		out.WriteString(Number(float64(v)))
	case uint64:
		out.WriteString(Number(float64(v)))
	case string:
		return writeString(out, v)
	case []Value:
		out.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := write(out, item); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case *Object:
		out.WriteByte('{')
		for i, key := range v.Keys() {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeString(out, key); err != nil {
				return err
			}
			out.WriteByte(':')
			if err := write(out, v.values[key]); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	default:
		return fmt.Errorf("encoder: %T is not a JSON value of this package (use *Object for objects)", value)
	}
	return nil
}

// Number is ECMAScript's Number::toString: "null" for NaN and the infinities (as JSON.stringify writes them), "0"
// for -0, otherwise the shortest digits that round-trip, laid out as JavaScript lays them out.
func Number(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "null"
	}
	if x == 0 {
		return "0"
	}
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	// 'e' with precision -1: the shortest digits that read back as x, as d.ddde±XX.
	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(x, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	e, _ := strconv.Atoi(exponent)
	k, n := len(digits), e+1 // x = 0.DIGITS × 10^n
	switch {
	case k <= n && n <= 21: // an integer: its digits and zeros, 1e20 is 100000000000000000000
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21: // a decimal point inside the digits
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0: // 0.000001 and up
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	expSign := "+"
	if n-1 < 0 {
		expSign = "-"
	}
	head := digits[:1]
	if k > 1 {
		head += "." + digits[1:]
	}
	return sign + head + "e" + expSign + strconv.Itoa(abs(n-1))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

const hex = "0123456789abcdef"

// writeString writes s as a JSON string the way JSON.stringify does. s is UTF-8, where a lone surrogate may stand
// as its three WTF-8 bytes (ED A0..BF xx), which Parse makes and which are written back as \udxxx.
func writeString(out *strings.Builder, s string) error {
	out.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				out.WriteString(`\"`)
			case '\\':
				out.WriteString(`\\`)
			case '\b':
				out.WriteString(`\b`)
			case '\f':
				out.WriteString(`\f`)
			case '\n':
				out.WriteString(`\n`)
			case '\r':
				out.WriteString(`\r`)
			case '\t':
				out.WriteString(`\t`)
			default:
				if c < 0x20 {
					out.WriteString(`\u00`)
					out.WriteByte(hex[c>>4])
					out.WriteByte(hex[c&0xf])
				} else {
					out.WriteByte(c) // '/', '<', '>', '&', DEL: raw
				}
			}
			i++
			continue
		}
		if unit, ok := surrogateAt(s, i); ok {
			out.WriteString(`\u`)
			out.WriteString(strconv.FormatUint(uint64(unit), 16)) // d800..dfff: four lowercase digits
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Errorf("encoder: byte %d of a string is neither UTF-8 nor a lone surrogate", i)
		}
		out.WriteString(s[i : i+size]) // raw UTF-8, U+2028 and U+2029 included
		i += size
	}
	out.WriteByte('"')
	return nil
}

// surrogateAt reads the WTF-8 encoding of a lone surrogate at s[i]: ED, then A0 to BF, then a continuation byte.
func surrogateAt(s string, i int) (uint16, bool) {
	if i+2 >= len(s) || s[i] != 0xED || s[i+1] < 0xA0 || s[i+1] > 0xBF || s[i+2]&0xC0 != 0x80 {
		return 0, false
	}
	return 0xD000 | uint16(s[i+1]&0x3F)<<6 | uint16(s[i+2]&0x3F), true
}

// appendSurrogate appends the WTF-8 encoding of the surrogate code unit u (D800 to DFFF).
func appendSurrogate(b []byte, u rune) []byte {
	return append(b, 0xED, byte(0x80|(u>>6)&0x3F), byte(0x80|u&0x3F))
}

// Parse reads one JSON text as JSON.parse does: numbers as float64, objects as *Object (duplicate keys as Set
// makes them), lone surrogates kept (see the package comment). The text must be UTF-8, with nothing after the
// value but white space.
func Parse(text []byte) (Value, error) {
	if !utf8.Valid(text) {
		return nil, errors.New("the text is not UTF-8")
	}
	p := &parser{text: text}
	value, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.at < len(p.text) {
		return nil, p.fail("unexpected text after the value")
	}
	return value, nil
}

type parser struct {
	text []byte
	at   int
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%s at byte %d", what, p.at)
}

func (p *parser) space() {
	for p.at < len(p.text) {
		switch p.text[p.at] {
		case ' ', '\t', '\n', '\r':
			p.at++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	p.space()
	if p.at >= len(p.text) {
		return nil, p.fail("unexpected end of the text")
	}
	switch c := p.text[p.at]; {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return nil, p.fail(fmt.Sprintf("nested deeper than %d levels", MaxDepth))
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, literal := range []struct {
		text  string
		value Value
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if bytes.HasPrefix(p.text[p.at:], []byte(literal.text)) {
			p.at += len(literal.text)
			return literal.value, nil
		}
	}
	return nil, p.fail("unexpected character")
}

func (p *parser) object(depth int) (Value, error) {
	object := NewObject()
	p.at++ // {
	p.space()
	if p.at < len(p.text) && p.text[p.at] == '}' {
		p.at++
		return object, nil
	}
	for {
		p.space()
		if p.at >= len(p.text) || p.text[p.at] != '"' {
			return nil, p.fail("expected a key")
		}
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.at >= len(p.text) || p.text[p.at] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.at++
		value, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		object.Set(key, value)
		p.space()
		if p.at < len(p.text) && p.text[p.at] == ',' {
			p.at++
			continue
		}
		if p.at < len(p.text) && p.text[p.at] == '}' {
			p.at++
			return object, nil
		}
		return nil, p.fail("expected ',' or '}'")
	}
}

func (p *parser) array(depth int) (Value, error) {
	items := []Value{}
	p.at++ // [
	p.space()
	if p.at < len(p.text) && p.text[p.at] == ']' {
		p.at++
		return items, nil
	}
	for {
		item, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		p.space()
		if p.at < len(p.text) && p.text[p.at] == ',' {
			p.at++
			continue
		}
		if p.at < len(p.text) && p.text[p.at] == ']' {
			p.at++
			return items, nil
		}
		return nil, p.fail("expected ',' or ']'")
	}
}

// number reads the JSON number grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, as the nearest float64
// (ParseFloat rounds correctly, ties to even); beyond the largest float64 it is an infinity, as in JavaScript.
func (p *parser) number() (Value, error) {
	start := p.at
	digits := func() int {
		from := p.at
		for p.at < len(p.text) && p.text[p.at] >= '0' && p.text[p.at] <= '9' {
			p.at++
		}
		return p.at - from
	}
	if p.text[p.at] == '-' {
		p.at++
	}
	if p.at < len(p.text) && p.text[p.at] == '0' {
		p.at++
	} else if digits() == 0 {
		return nil, p.fail("expected a digit")
	}
	if p.at < len(p.text) && p.text[p.at] == '.' {
		p.at++
		if digits() == 0 {
			return nil, p.fail("expected a digit after '.'")
		}
	}
	if p.at < len(p.text) && (p.text[p.at] == 'e' || p.text[p.at] == 'E') {
		p.at++
		if p.at < len(p.text) && (p.text[p.at] == '+' || p.text[p.at] == '-') {
			p.at++
		}
		if digits() == 0 {
			return nil, p.fail("expected a digit in the exponent")
		}
	}
	x, err := strconv.ParseFloat(string(p.text[start:p.at]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // ErrRange: ±Inf, which JavaScript makes too
		return nil, p.fail("not a number")
	}
	return x, nil
}

// string reads a JSON string. A surrogate pair, raw or escaped, becomes its character in UTF-8; a lone surrogate
// escape becomes its three WTF-8 bytes.
func (p *parser) string() (string, error) {
	p.at++ // "
	var out []byte
	for {
		if p.at >= len(p.text) {
			return "", p.fail("unterminated string")
		}
		c := p.text[p.at]
		switch {
		case c == '"':
			p.at++
			return string(out), nil
		case c < 0x20:
			return "", p.fail("a control character in a string must be escaped")
		case c != '\\':
			out = append(out, c)
			p.at++
			continue
		}
		if p.at+1 >= len(p.text) {
			return "", p.fail("unterminated escape")
		}
		escape := p.text[p.at+1]
		p.at += 2
		if simple := strings.IndexByte(`"\/bfnrt`, escape); simple >= 0 {
			out = append(out, "\"\\/\b\f\n\r\t"[simple])
			continue
		}
		if escape != 'u' {
			return "", p.fail("invalid escape")
		}
		unit, err := p.hex4()
		if err != nil {
			return "", err
		}
		if utf16.IsSurrogate(unit) {
			if unit < 0xDC00 && p.at+1 < len(p.text) && p.text[p.at] == '\\' && p.text[p.at+1] == 'u' {
				save := p.at
				p.at += 2
				low, err := p.hex4()
				if err == nil && low >= 0xDC00 && low <= 0xDFFF {
					out = utf8.AppendRune(out, utf16.DecodeRune(unit, low))
					continue
				}
				p.at = save // not a low surrogate: the high one stands alone
			}
			out = appendSurrogate(out, unit)
			continue
		}
		out = utf8.AppendRune(out, unit)
	}
}

func (p *parser) hex4() (rune, error) {
	if p.at+4 > len(p.text) {
		return 0, p.fail("a \\u escape needs four hex digits")
	}
	n, err := strconv.ParseUint(string(p.text[p.at:p.at+4]), 16, 16)
	if err != nil {
		return 0, p.fail("a \\u escape needs four hex digits")
	}
	p.at += 4
	return rune(n), nil
}
