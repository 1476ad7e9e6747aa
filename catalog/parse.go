package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/edgeshelf/edgeshelf/internal/yamlerr"
)

// MaxCatalogBytes bounds catalog.yaml; a larger file is refused before parsing.
const MaxCatalogBytes = 8 << 20

// FieldError is one problem in catalog.yaml, located by path (e.g.
// skus[2].swatch.rect) and line: the same type rules files report.
type FieldError = yamlerr.Problem

// ValidationError lists every problem found in a catalog. It is the one
// YAML validation error routing returns too; its code is invalid_catalog.
type ValidationError = yamlerr.Error

// catalogKind names catalog.yaml in problem codes and messages.
const catalogKind = "catalog"

func invalid(source string, problems []FieldError) *ValidationError {
	return &ValidationError{Source: source, Kind: catalogKind, Problems: problems}
}

// Parse decodes and validates catalog.yaml. Unknown fields are errors. Every
// problem is reported with its field path and line.
func Parse(source string, data []byte) (*Catalog, error) {
	if len(data) == 0 {
		return nil, invalid(source, []FieldError{{Path: "$", Msg: "file is empty"}})
	}
	if len(data) > MaxCatalogBytes {
		return nil, invalid(source, []FieldError{{Path: "$", Msg: fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxCatalogBytes)}})
	}
	var c Catalog
	if err := decodeStrict(data, &c); err != nil {
		return nil, invalid(source, []FieldError{decodeError(err, data)})
	}
	v := validator{}
	c.validate(&v)
	if len(v.errs) > 0 {
		v.locate(data)
		return nil, invalid(source, v.errs)
	}
	return &c, nil
}

// decodeStrict decodes with unknown fields as errors. go-yaml v1.19.2 panics
// on some malformed input (a tag where a sequence is expected, `views: !x`;
// goccy/go-yaml#735): a bad catalog.yaml must not take a polling replica
// down, so the panic becomes an error.
func decodeStrict(data []byte, c *Catalog) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML (the decoder failed: %v)", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, c, yaml.Strict())
}

// decodeError turns a go-yaml error into a FieldError with the line it names
// and, when the document parses (an unknown field, a wrong type), the path of
// the offending node, so "unknown field" says which SKU it is in.
func decodeError(err error, data []byte) FieldError {
	var se yaml.Error
	if errors.As(err, &se) {
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			return FieldError{Path: nodePath(data, tk.Position), Line: tk.Position.Line, Msg: se.GetMessage()}
		}
	}
	msg := err.Error()
	return FieldError{Path: "$", Msg: strings.ReplaceAll(msg, "\n", " ")}
}

// nodePath is the path (skus[0].colour) of the node at pos, or "$" when the
// document does not parse or no node starts there.
func nodePath(data []byte, pos *token.Position) string {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return "$"
	}
	f := &posFinder{pos: pos}
	for _, doc := range file.Docs {
		ast.Walk(f, doc)
	}
	if p := strings.TrimPrefix(f.path, "$."); p != "" && p != "$" {
		return p
	}
	return "$"
}

type posFinder struct {
	pos  *token.Position
	path string
}

func (f *posFinder) Visit(n ast.Node) ast.Visitor {
	if f.path != "" || n == nil {
		return nil
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil &&
		tk.Position.Line == f.pos.Line && tk.Position.Column == f.pos.Column {
		f.path = n.GetPath()
		return nil
	}
	return f
}

// locate fills in line numbers by looking each path up in the YAML AST.
func (v *validator) locate(data []byte) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return
	}
	for i := range v.errs {
		// Walk up the path until a node exists (a missing field is reported
		// at its parent).
		for p := v.errs[i].Path; p != ""; p = parentPath(p) {
			yp, err := yaml.PathString("$." + p)
			if err != nil {
				continue
			}
			node, err := yp.FilterFile(file)
			if err == nil && node != nil && node.GetToken() != nil {
				v.errs[i].Line = node.GetToken().Position.Line
				break
			}
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// key quotes a map key for a go-yaml path when it is not a plain identifier.
func key(k string) string {
	if strings.ContainsAny(k, "-. []'\"") {
		return "'" + k + "'"
	}
	return k
}
