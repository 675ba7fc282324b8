package rpm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Dep is a parsed dependency: a leaf "name [op evr]" or a boolean operation.
type Dep struct {
	Op   string // "" for a leaf; else "and", "or", "if", "unless", "with", "without"
	Name string // leaf: the capability name
	Cmp  string // leaf: "", "<", "<=", "=", ">=", ">"
	EVR  string // leaf: the version text, "" when Cmp is ""
	Args []*Dep // "and","or","with": 2 or more operands; "if","unless": [then, cond] or [then, cond, else]; "without": 2
}

// cmps maps rpm's comparison spellings (rpmParseDSFlags) to one each.
var cmps = map[string]string{"<": "<", "<=": "<=", "=<": "<=", "=": "=", "==": "=", ">=": ">=", "=>": ">=", ">": ">"}

var ops = []string{"and", "or", "if", "unless", "else", "with", "without"}

// ParseRich parses a rich dependency string as it appears in an rpm
// header's REQUIRENAME, e.g. "(a >= 1.0 or (b if c))", with rpm's rules:
// commas count as spaces, a name or version may hold balanced parentheses,
// only and/or/with chain, and with/without operands contain no
// and/if/unless. Unlike rpm it also rejects "else" without "if"/"unless".
// A string not starting with '(' parses as a single leaf.
func ParseRich(s string) (d *Dep, err error) {
	p := &parser{s: s}
	if lead(s, '(') {
		d, err = p.group()
	} else if d, err = p.leaf(); err == nil {
		p.skipWhite()
	}
	if err == nil && p.i < len(s) {
		return nil, p.errf("junk after dependency")
	}
	return d, err
}

type parser struct {
	s string
	i int
}

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("rpm: dependency %q: at byte %d: %s", p.s, p.i, fmt.Sprintf(format, args...))
}

func isSpace(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }

func (p *parser) skipWhite() {
	for p.i < len(p.s) && (isSpace(p.s[p.i]) || p.s[p.i] == ',') {
		p.i++
	}
}

// token reads a name or version: up to a space, comma or unmatched ')'.
func (p *parser) token() string {
	start, depth := p.i, 0
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case isSpace(c) || c == ',' || c == ')' && depth == 0:
			return p.s[start:p.i]
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
	}
	return p.s[start:]
}

func (p *parser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// leaf reads "name [cmp version]".
func (p *parser) leaf() (*Dep, error) {
	d := &Dep{Name: p.token()}
	if d.Name == "" {
		return nil, p.errf("missing name")
	}
	after := p.i
	p.skipWhite()
	if d.Cmp = cmps[p.token()]; d.Cmp == "" {
		p.i = after
		return d, nil
	}
	p.skipWhite()
	if d.EVR = p.token(); d.EVR == "" {
		return nil, p.errf("missing version after %q", d.Cmp)
	}
	return d, nil
}

// group reads "(operand op operand ...)" from its '('.
func (p *parser) group() (*Dep, error) {
	d := &Dep{}
	for p.i++; ; {
		p.skipWhite()
		var a *Dep
		var err error
		switch {
		case p.peek() == ')' && d.Op == "":
			return nil, p.errf("empty rich dependency")
		case p.peek() == ')':
			return nil, p.errf("missing operand after %q", d.Op)
		case p.peek() == '(':
			a, err = p.group()
		default:
			a, err = p.leaf()
		}
		if err != nil {
			return nil, err
		}
		d.Args = append(d.Args, a)
		if p.skipWhite(); p.i == len(p.s) {
			return nil, p.errf("missing ')'")
		}
		if p.s[p.i] == ')' {
			p.i++
			return d.finish(p)
		}
		at := p.i
		for p.i < len(p.s) && !isSpace(p.s[p.i]) && p.s[p.i] != ')' {
			p.i++
		}
		if msg := d.addOp(p.s[at:p.i]); msg != "" {
			p.i = at
			return nil, p.errf("%s", msg)
		}
	}
}

// addOp checks that op may follow the operators before it at this level
// and returns why not.
func (d *Dep) addOp(op string) string {
	prev := d.Op
	switch {
	case !slices.Contains(ops, op):
		return fmt.Sprintf("unknown operator %q", op)
	case op == "else" && (prev == "if" || prev == "unless") && len(d.Args) == 2:
	case op == "else":
		return `"else" must follow "x if y" or "x unless y"`
	case prev == "":
		d.Op = op
	case op != prev:
		return fmt.Sprintf("%q after %q needs parentheses", op, prev)
	case op != "and" && op != "or" && op != "with":
		return fmt.Sprintf("%q does not chain", op)
	}
	return ""
}

// finish collapses "(x)" to x and refuses what rpm refuses inside with.
func (d *Dep) finish(p *parser) (*Dep, error) {
	if d.Op == "" {
		return d.Args[0], nil
	}
	if (d.Op == "with" || d.Op == "without") && slices.ContainsFunc(d.Args, (*Dep).hasCond) {
		return nil, p.errf("%q operands may not contain and, if or unless", d.Op)
	}
	return d, nil
}

func (d *Dep) hasCond() bool {
	return d.Op == "and" || d.Op == "if" || d.Op == "unless" || slices.ContainsFunc(d.Args, (*Dep).hasCond)
}

// String is the canonical text, which ParseRich reads back to d.
func (d *Dep) String() string {
	if d.Op == "" && d.Cmp == "" {
		return d.Name
	}
	if d.Op == "" {
		return d.Name + " " + d.Cmp + " " + d.EVR
	}
	var b strings.Builder
	for i, a := range d.Args {
		switch {
		case i == 0:
			b.WriteString("(")
		case i == 2 && (d.Op == "if" || d.Op == "unless"):
			b.WriteString(" else ")
		default:
			b.WriteString(" " + d.Op + " ")
		}
		b.WriteString(a.String())
	}
	// A last token such as "a(" would read the ')' as its own: space it off.
	last := d.Args[len(d.Args)-1]
	q := &parser{s: cmp.Or(last.EVR, last.Name) + ")"}
	if q.token(); last.Op == "" && q.i == len(q.s) {
		b.WriteString(" ")
	}
	return b.String() + ")"
}
