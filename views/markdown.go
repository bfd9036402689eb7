package views

import (
	"bytes"
	"html"
	"html/template"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// maxMarkdownNesting is how deeply blockquotes and lists nest in a letter.
// goldmark's time grows with the square of the depth: a body of 59,000
// nested ">" took seconds to render, and a real letter nests two or three
// deep. A marker deeper than this is read as text.
const maxMarkdownNesting = 20

// shallowContainer is goldmark's parser of blockquotes or of lists that
// opens no container deeper than maxMarkdownNesting.
type shallowContainer struct{ parser.BlockParser }

// Open opens the container unless parent is already maxMarkdownNesting deep.
func (p shallowContainer) Open(parent ast.Node, r text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			depth++
		}
	}
	if depth >= maxMarkdownNesting {
		return nil, parser.NoChildren
	}
	return p.BlockParser.Open(parent, r, pc)
}

// newMarkdown is goldmark with CommonMark's parsers, its blockquotes and
// lists shallow. List items need no cap: they open only inside a list.
func newMarkdown() goldmark.Markdown {
	containers := []reflect.Type{reflect.TypeOf(parser.NewBlockquoteParser()), reflect.TypeOf(parser.NewListParser())}
	blocks := parser.DefaultBlockParsers()
	for i, b := range blocks {
		if slices.Contains(containers, reflect.TypeOf(b.Value)) {
			blocks[i].Value = shallowContainer{b.Value.(parser.BlockParser)}
		}
	}
	return goldmark.New(goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
	)))
}

var (
	markdown = newMarkdown() // raw HTML is not rendered, dangerous link schemes are dropped
	// markdownPolicy keeps the safe subset a letter needs: paragraphs,
	// emphasis, links and lists.
	markdownPolicy = func() *bluemonday.Policy {
		p := bluemonday.NewPolicy()
		p.AllowElements("p", "em", "strong", "ul", "ol", "li", "br", "blockquote")
		p.AllowAttrs("href").OnElements("a")
		p.AllowURLSchemes("http", "https", "mailto")
		p.RequireParseableURLs(true)
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		return p
	}()
)

// RenderMarkdown turns the Markdown of a letter, a translation, a revision
// or an update into sanitised HTML; templates call it as "markdown".
//
// Markdown is the only text stored, and pages render it when they are
// read: a change of the renderer or of its sanitiser reaches every row at
// once, where stored HTML would keep whatever an older one let through.
// Templates render only the texts they show (the embed shows none). The
// page cache makes this free on the pages a crowd reloads (a letter, the
// pages of its list), rendered once per change; the pages it does not
// keep (a revision, a preview, the print page, the API's letter, the
// index's and the feed's excerpts of updates) render each text they show
// once per request, and no page renders one per signatory.
func RenderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(markdownPolicy.Sanitize("<p>" + src + "</p>"))
	}
	return template.HTML(markdownPolicy.Sanitize(buf.String())) // sanitised: only the safe subset is left
}

// markupStripper keeps the text of sanitised HTML and drops every tag.
var markupStripper = bluemonday.StrictPolicy()

// Excerpt is the text of Markdown as its rendering reads, without markup,
// cut to at most n characters at a word's end, with "…" when cut: a
// letter's latest update on the index and in the feed.
func Excerpt(src string, n int) string {
	text := strings.Join(strings.Fields(html.UnescapeString(markupStripper.Sanitize(string(RenderMarkdown(src))))), " ")
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	cut := string(runes[:n])
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// PlainBlock is one paragraph of a letter's Markdown as plain text, for
// output that cannot show HTML, such as the PDF of the delivery packet.
type PlainBlock struct {
	Text   string
	Marker string // a list item's "•" or "3."; "" for a paragraph
	Depth  int    // how deeply its list is nested: 0 outside lists
}

// PlainBlocks reads a letter's Markdown as the paragraphs and list items
// its HTML shows, without emphasis markers; raw HTML is left out, as
// RenderMarkdown leaves it out, and a link keeps only its text.
func PlainBlocks(src string) []PlainBlock {
	source := []byte(src)
	var out []PlainBlock
	var walk func(n ast.Node, marker string, depth int)
	walk = func(n ast.Node, marker string, depth int) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.List:
				number := c.Start
				for item := c.FirstChild(); item != nil; item = item.NextSibling() {
					m := "•"
					if c.IsOrdered() {
						m = strconv.Itoa(number) + "."
						number++
					}
					walk(item, m, depth+1)
				}
			case *ast.Paragraph, *ast.TextBlock, *ast.Heading, *ast.CodeBlock, *ast.FencedCodeBlock:
				if t := strings.Join(strings.Fields(inlineText(c, source)), " "); t != "" {
					out = append(out, PlainBlock{Text: t, Marker: marker, Depth: depth})
					marker = "" // a second paragraph of an item has no marker of its own
				}
			default:
				walk(c, marker, depth)
			}
		}
	}
	walk(markdown.Parser().Parse(text.NewReader(source)), "", 0)
	return out
}

// inlineText is the text of a block's inline content, line breaks as spaces.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	if n.Type() == ast.TypeBlock && n.FirstChild() == nil {
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(source))
			b.WriteByte(' ')
		}
		return b.String()
	}
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			b.Write(c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.URL(source))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
