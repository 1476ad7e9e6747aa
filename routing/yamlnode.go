package routing

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The rules and reference files are walked as a YAML AST rather than
// decoded in one go: each rule is decoded on its own, so one bad rule does
// not hide the problems of the next, and every problem keeps its line.

// problems collects Problems while a file is walked.
type problems struct{ list []Problem }

func (p *problems) add(n ast.Node, path, format string, args ...any) {
	p.list = append(p.list, Problem{Path: path, Line: lineOf(n), Msg: fmt.Sprintf(format, args...)})
}

// goTypes strips Go struct names from decoder messages ("cannot unmarshal
// string into Go struct field ruleSpec.Units of type int").
var goTypes = regexp.MustCompile(`Go struct field \S+ of type `)

// addDecode reports a go-yaml decode error at the token it names, or at n.
// When the token is the value of one of n's fields, the path names it.
func (p *problems) addDecode(n ast.Node, path string, err error) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		line := lineOf(n)
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
			if vals, ok := mapping(n); ok {
				for _, mv := range vals {
					if samePos(mv.Value, tk.Position) || samePos(mv.Key, tk.Position) {
						path += "." + keyName(mv)
						break
					}
				}
			}
		}
		p.list = append(p.list, Problem{Path: path, Line: line, Msg: goTypes.ReplaceAllString(ye.GetMessage(), "")})
		return
	}
	p.list = append(p.list, Problem{Path: path, Line: lineOf(n), Msg: strings.ReplaceAll(err.Error(), "\n", " ")})
}

// parseDocument parses one YAML document and returns its body. A parser
// panic (go-yaml has had some on malformed input; see catalog/parse.go) is
// a problem like any other.
func parseDocument(data []byte, p *problems) (body ast.Node) {
	defer func() {
		if r := recover(); r != nil {
			body = nil
			p.list = append(p.list, Problem{Path: "$", Msg: fmt.Sprintf("malformed YAML (the parser failed: %v)", r)})
		}
	}()
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		p.addDecode(nil, "$", err)
		return nil
	}
	var docs []ast.Node
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	switch len(docs) {
	case 0:
		p.add(nil, "$", "file is empty")
		return nil
	case 1:
		return docs[0]
	default:
		p.add(docs[1], "$", "want one YAML document, found %d", len(docs))
		return nil
	}
}

// decodeNode decodes one node, turning a decoder panic into an error.
func decodeNode(n ast.Node, v any, opts ...yaml.DecodeOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML (the decoder failed: %v)", r)
		}
	}()
	return yaml.NodeToValue(n, v, opts...)
}

// unwrap looks through anchors and tags to the node that holds the value.
func unwrap(n ast.Node) ast.Node {
	for i := 0; i < 8 && n != nil; i++ {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
	return n
}

// mapping returns the key/value pairs of a mapping node.
func mapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch t := unwrap(n).(type) {
	case *ast.MappingNode:
		return t.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}, true
	}
	return nil, false
}

// sequence returns the items of a sequence node.
func sequence(n ast.Node) ([]ast.Node, bool) {
	if t, ok := unwrap(n).(*ast.SequenceNode); ok {
		return t.Values, true
	}
	return nil, false
}

// keyName is a mapping key as text.
func keyName(mv *ast.MappingValueNode) string {
	if mv == nil || mv.Key == nil {
		return ""
	}
	if tk := mv.Key.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// field finds a key's value in a mapping; nil when absent.
func field(vals []*ast.MappingValueNode, name string) ast.Node {
	for _, mv := range vals {
		if keyName(mv) == name {
			return mv.Value
		}
	}
	return nil
}

// item is the i-th item of a sequence node, or the node itself when it is
// not a sequence (so a problem is still reported near the right line).
func item(n ast.Node, i int) ast.Node {
	if items, ok := sequence(n); ok && i < len(items) {
		return items[i]
	}
	return n
}

// entry is the value of key in a mapping node, or the node itself.
func entry(n ast.Node, key string) ast.Node {
	if vals, ok := mapping(n); ok {
		if v := field(vals, key); v != nil {
			return v
		}
	}
	return n
}

func samePos(n ast.Node, pos *token.Position) bool {
	if n == nil {
		return false
	}
	tk := n.GetToken()
	return tk != nil && tk.Position != nil && tk.Position.Line == pos.Line && tk.Position.Column == pos.Column
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	defer func() { _ = recover() }() // some node kinds have no token
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// isNull reports whether a value node is absent or an explicit null.
func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := unwrap(n).(*ast.NullNode)
	return ok
}
