using System.Globalization;
using System.Text;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// Splits Bicep source into tokens: identifiers, integers, single-quoted strings with escapes and
/// <c>${}</c> interpolation (lexed recursively), <c>'''</c> multi-line strings, operators, and newlines
/// (which separate statements, object properties and array items). Comments are dropped.
/// </summary>
internal sealed class BicepLexer
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;
    private int _line = 1;

    private BicepLexer(string text, string file)
    {
        _text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        _file = file;
    }

    public static IReadOnlyList<BicepToken> Tokenize(string text, string file)
    {
        var lexer = new BicepLexer(text, file);
        var tokens = lexer.Lex(insideHole: false);
        tokens.Add(new BicepToken(BicepTokenKind.EndOfFile, string.Empty, lexer._line));
        return tokens;
    }

    private List<BicepToken> Lex(bool insideHole)
    {
        var tokens = new List<BicepToken>();
        var braceDepth = 0;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            switch (c)
            {
                case '\n':
                    tokens.Add(new BicepToken(BicepTokenKind.NewLine, "\n", _line));
                    _line++;
                    _pos++;
                    continue;
                case ' ' or '\t' or '\r':
                    _pos++;
                    continue;
                case '/' when Peek(1) == '/':
                    while (_pos < _text.Length && _text[_pos] != '\n')
                    {
                        _pos++;
                    }

                    continue;
                case '/' when Peek(1) == '*':
                    SkipBlockComment();
                    continue;
                case '\'':
                    tokens.Add(Peek(1) == '\'' && Peek(2) == '\'' ? LexMultilineString() : LexString());
                    continue;
                case '{':
                    braceDepth++;
                    tokens.Add(Single(BicepTokenKind.LeftBrace, "{"));
                    continue;
                case '}':
                    if (insideHole && braceDepth == 0)
                    {
                        _pos++;
                        return tokens;
                    }

                    braceDepth--;
                    tokens.Add(Single(BicepTokenKind.RightBrace, "}"));
                    continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = _pos;
                while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
                {
                    _pos++;
                }

                tokens.Add(new BicepToken(BicepTokenKind.Identifier, _text[start.._pos], _line));
                continue;
            }

            if (char.IsDigit(c))
            {
                var start = _pos;
                while (_pos < _text.Length && char.IsDigit(_text[_pos]))
                {
                    _pos++;
                }

                tokens.Add(new BicepToken(BicepTokenKind.Integer, _text[start.._pos], _line));
                continue;
            }

            tokens.Add(LexOperator(c));
        }

        if (insideHole)
        {
            throw new BicepSyntaxException(_file, _line, "the file ends inside a ${...} interpolation");
        }

        return tokens;
    }

    private BicepToken LexOperator(char c)
    {
        var two = _pos + 1 < _text.Length ? _text.Substring(_pos, 2) : c.ToString();
        var three = _pos + 2 < _text.Length ? _text.Substring(_pos, 3) : two;
        if (three == "...")
        {
            _pos += 3;
            return new BicepToken(BicepTokenKind.Ellipsis, three, _line);
        }

        BicepTokenKind? twoKind = two switch
        {
            "::" => BicepTokenKind.DoubleColon,
            ".?" => BicepTokenKind.SafeDot,
            "??" => BicepTokenKind.DoubleQuestion,
            "==" => BicepTokenKind.Equal,
            "!=" => BicepTokenKind.NotEqual,
            "=~" => BicepTokenKind.EqualInsensitive,
            "!~" => BicepTokenKind.NotEqualInsensitive,
            "<=" => BicepTokenKind.LessOrEqual,
            ">=" => BicepTokenKind.GreaterOrEqual,
            "&&" => BicepTokenKind.And,
            "||" => BicepTokenKind.Or,
            "=>" => BicepTokenKind.Arrow,
            _ => null,
        };
        if (twoKind is { } kind2)
        {
            _pos += 2;
            return new BicepToken(kind2, two, _line);
        }

        BicepTokenKind? oneKind = c switch
        {
            '[' => BicepTokenKind.LeftBracket,
            ']' => BicepTokenKind.RightBracket,
            '(' => BicepTokenKind.LeftParen,
            ')' => BicepTokenKind.RightParen,
            ',' => BicepTokenKind.Comma,
            ':' => BicepTokenKind.Colon,
            '.' => BicepTokenKind.Dot,
            '?' => BicepTokenKind.Question,
            '@' => BicepTokenKind.At,
            '=' => BicepTokenKind.Assign,
            '<' => BicepTokenKind.Less,
            '>' => BicepTokenKind.Greater,
            '+' => BicepTokenKind.Plus,
            '-' => BicepTokenKind.Minus,
            '*' => BicepTokenKind.Star,
            '/' => BicepTokenKind.Slash,
            '%' => BicepTokenKind.Percent,
            '!' => BicepTokenKind.Bang,
            '|' => BicepTokenKind.Pipe,
            _ => null,
        };
        if (oneKind is { } kind1)
        {
            return Single(kind1, c.ToString());
        }

        throw new BicepSyntaxException(_file, _line, $"unexpected character '{c}'");
    }

    private BicepToken LexString()
    {
        var line = _line;
        _pos++; // opening quote
        var parts = new List<string>();
        var holes = new List<IReadOnlyList<BicepToken>>();
        var current = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n')
            {
                throw new BicepSyntaxException(_file, line, "unterminated string (single-quoted strings end on the same line)");
            }

            var c = _text[_pos];
            if (c == '\'')
            {
                _pos++;
                break;
            }

            if (c == '\\')
            {
                current.Append(Escape());
                continue;
            }

            if (c == '$' && Peek(1) == '{')
            {
                _pos += 2;
                parts.Add(current.ToString());
                current.Clear();
                var hole = Lex(insideHole: true);
                hole.Add(new BicepToken(BicepTokenKind.EndOfFile, string.Empty, _line));
                holes.Add(hole);
                continue;
            }

            current.Append(c);
            _pos++;
        }

        parts.Add(current.ToString());
        var text = holes.Count == 0 ? parts[0] : string.Join("${...}", parts);
        return new BicepToken(BicepTokenKind.String, text, line, parts, holes);
    }

    private string Escape()
    {
        var next = Peek(1);
        _pos += 2;
        switch (next)
        {
            case '\\': return "\\";
            case '\'': return "'";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case '$': return "$";
            case 'u' when _pos < _text.Length && _text[_pos] == '{':
                var close = _text.IndexOf('}', _pos);
                if (close < 0)
                {
                    throw new BicepSyntaxException(_file, _line, "unterminated \\u{...} escape");
                }

                var code = int.Parse(_text[(_pos + 1)..close], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                _pos = close + 1;
                return char.ConvertFromUtf32(code);
            default:
                throw new BicepSyntaxException(_file, _line, $"unknown escape '\\{next}' in a string");
        }
    }

    private BicepToken LexMultilineString()
    {
        var line = _line;
        _pos += 3;
        var end = _text.IndexOf("'''", _pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new BicepSyntaxException(_file, line, "unterminated ''' string");
        }

        var content = _text[_pos..end];
        _line += content.Count(ch => ch == '\n');
        _pos = end + 3;
        if (content.StartsWith('\n'))
        {
            content = content[1..];
        }

        return new BicepToken(BicepTokenKind.String, content, line, [content], []);
    }

    private void SkipBlockComment()
    {
        var end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new BicepSyntaxException(_file, _line, "unterminated /* comment");
        }

        _line += _text.AsSpan(_pos, end - _pos).Count('\n');
        _pos = end + 2;
    }

    private BicepToken Single(BicepTokenKind kind, string text)
    {
        _pos++;
        return new BicepToken(kind, text, _line);
    }

    private char Peek(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';
}
