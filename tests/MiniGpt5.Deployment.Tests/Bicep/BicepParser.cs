using System.Globalization;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// Recursive-descent parser for the Bicep we write (learn.microsoft.com/azure/azure-resource-manager/bicep
/// "file structure and syntax"): decorators; param, var, resource (also nested and existing), module, output,
/// targetScope, metadata, type, func and import statements; and expressions with objects, arrays, for and if,
/// lambdas, calls, member/index access, unary, binary and ternary operators. Newlines separate statements,
/// object properties and array items; inside parentheses they are ignored.
/// </summary>
internal sealed class BicepParser
{
    private readonly IReadOnlyList<BicepToken> _tokens;
    private readonly string _file;
    private int _pos;

    private BicepParser(IReadOnlyList<BicepToken> tokens, string file)
    {
        _tokens = tokens;
        _file = file;
    }

    private BicepToken Current => _tokens[_pos];

    public static BicepFile Parse(string text, string path)
    {
        var parser = new BicepParser(BicepLexer.Tokenize(text, path), path);
        return parser.ParseFile();
    }

    /// <summary>Parses one expression (for tests of the expression grammar).</summary>
    public static BicepExpression ParseExpression(string text)
    {
        var parser = new BicepParser(BicepLexer.Tokenize(text, "expression"), "expression");
        var expression = parser.Expression();
        parser.SkipNewLines();
        parser.Expect(BicepTokenKind.EndOfFile);
        return expression;
    }

    private BicepFile ParseFile()
    {
        string? targetScope = null;
        var parameters = new List<ParameterDeclaration>();
        var variables = new List<VariableDeclaration>();
        var resources = new List<ResourceDeclaration>();
        var modules = new List<ModuleDeclaration>();
        var outputs = new List<OutputDeclaration>();

        while (true)
        {
            SkipNewLines();
            if (Current.Kind == BicepTokenKind.EndOfFile)
            {
                break;
            }

            var decorators = Decorators();
            var keyword = Expect(BicepTokenKind.Identifier);
            switch (keyword.Text)
            {
                case "param":
                {
                    var name = Expect(BicepTokenKind.Identifier).Text;
                    var type = TypeText();
                    BicepExpression? defaultValue = null;
                    if (Accept(BicepTokenKind.Assign))
                    {
                        defaultValue = Expression();
                    }

                    parameters.Add(new ParameterDeclaration(name, type, defaultValue, decorators, keyword.Line));
                    break;
                }

                case "var":
                {
                    var name = Expect(BicepTokenKind.Identifier).Text;
                    Expect(BicepTokenKind.Assign);
                    variables.Add(new VariableDeclaration(name, Expression(), decorators, keyword.Line));
                    break;
                }

                case "resource":
                    resources.Add(Resource(decorators, keyword.Line, parent: null, resources));
                    break;

                case "module":
                {
                    var name = Expect(BicepTokenKind.Identifier).Text;
                    var path = LiteralString("a module path");
                    Expect(BicepTokenKind.Assign);
                    modules.Add(new ModuleDeclaration(name, path, ResourceOrModuleValue(resources, null), decorators, keyword.Line));
                    break;
                }

                case "output":
                {
                    var name = Expect(BicepTokenKind.Identifier).Text;
                    var type = TypeText();
                    Expect(BicepTokenKind.Assign);
                    outputs.Add(new OutputDeclaration(name, type, Expression(), decorators, keyword.Line));
                    break;
                }

                case "targetScope":
                    Expect(BicepTokenKind.Assign);
                    targetScope = (Expression() as StringExpression)?.LiteralValue;
                    break;

                case "metadata":
                    Expect(BicepTokenKind.Identifier);
                    Expect(BicepTokenKind.Assign);
                    Expression();
                    break;

                case "type" or "func" or "import" or "using" or "extension":
                    // Declarations our checks do not look into: skip to the end of the statement.
                    SkipStatement();
                    break;

                default:
                    throw Error(keyword, $"unknown statement '{keyword.Text}'");
            }

            if (Current.Kind is not (BicepTokenKind.NewLine or BicepTokenKind.EndOfFile))
            {
                throw Error(Current, $"expected the end of the line after the {keyword.Text} statement, found {Current}");
            }
        }

        return new BicepFile(_file, targetScope, parameters, variables, resources, modules, outputs);
    }

    private ResourceDeclaration Resource(List<CallExpression> decorators, int line, ResourceDeclaration? parent, List<ResourceDeclaration> all)
    {
        var name = Expect(BicepTokenKind.Identifier).Text;
        var typeToken = Current;
        var typeAndVersion = LiteralString("a resource type");
        var at = typeAndVersion.IndexOf('@', StringComparison.Ordinal);
        var type = at < 0 ? typeAndVersion : typeAndVersion[..at];
        var apiVersion = at < 0 ? string.Empty : typeAndVersion[(at + 1)..];
        if (parent is not null && !type.Contains('/', StringComparison.Ordinal))
        {
            // A nested resource names its type relative to the parent and may inherit the API version.
            type = parent.Type + "/" + type;
            apiVersion = apiVersion.Length == 0 ? parent.ApiVersion : apiVersion;
        }

        if (apiVersion.Length == 0)
        {
            throw Error(typeToken, $"resource '{name}' type '{typeAndVersion}' has no @apiVersion");
        }

        var existing = false;
        if (Current.IsKeyword("existing"))
        {
            existing = true;
            _pos++;
        }

        Expect(BicepTokenKind.Assign);
        var placeholder = new ResourceDeclaration(name, type, apiVersion, existing, new NullExpression(line), decorators, line);
        var value = ResourceOrModuleValue(all, placeholder);
        var declaration = placeholder with { Value = value };
        return declaration;
    }

    private BicepExpression ResourceOrModuleValue(List<ResourceDeclaration> all, ResourceDeclaration? self)
    {
        if (Current.IsKeyword("if"))
        {
            return If(all, self);
        }

        if (Current.Kind == BicepTokenKind.LeftBracket)
        {
            return Array(all, self);
        }

        return Object(all, self);
    }

    private List<CallExpression> Decorators()
    {
        var decorators = new List<CallExpression>();
        while (Current.Kind == BicepTokenKind.At)
        {
            var at = Current;
            _pos++;
            if (Postfix() is not CallExpression call)
            {
                throw Error(at, "a decorator must be a call such as @description('...')");
            }

            decorators.Add(call);
            SkipNewLines();
        }

        return decorators;
    }

    /// <summary>A type clause (string, 'a' | 'b', string[], { ... }): its tokens' text up to '=' or the line end.</summary>
    private string TypeText()
    {
        var parts = new List<string>();
        var depth = 0;
        while (true)
        {
            var t = Current;
            if (t.Kind == BicepTokenKind.EndOfFile || (depth == 0 && t.Kind is BicepTokenKind.Assign or BicepTokenKind.NewLine))
            {
                break;
            }

            depth += t.Kind switch
            {
                BicepTokenKind.LeftBrace or BicepTokenKind.LeftBracket or BicepTokenKind.LeftParen => 1,
                BicepTokenKind.RightBrace or BicepTokenKind.RightBracket or BicepTokenKind.RightParen => -1,
                _ => 0,
            };
            if (t.Kind != BicepTokenKind.NewLine)
            {
                parts.Add(t.Kind == BicepTokenKind.String ? $"'{t.Text}'" : t.Text);
            }

            _pos++;
        }

        if (parts.Count == 0)
        {
            throw Error(Current, "expected a type");
        }

        return string.Join(' ', parts);
    }

    private void SkipStatement()
    {
        var depth = 0;
        while (Current.Kind != BicepTokenKind.EndOfFile && !(depth == 0 && Current.Kind == BicepTokenKind.NewLine))
        {
            depth += Current.Kind switch
            {
                BicepTokenKind.LeftBrace or BicepTokenKind.LeftBracket or BicepTokenKind.LeftParen => 1,
                BicepTokenKind.RightBrace or BicepTokenKind.RightBracket or BicepTokenKind.RightParen => -1,
                _ => 0,
            };
            _pos++;
        }
    }

    private BicepExpression Expression() => Ternary();

    private BicepExpression Ternary()
    {
        var condition = Binary(0);
        if (Current.Kind != BicepTokenKind.Question)
        {
            return condition;
        }

        var question = Current;
        _pos++;
        SkipNewLines();
        var whenTrue = Expression();
        SkipNewLines();
        Expect(BicepTokenKind.Colon);
        SkipNewLines();
        var whenFalse = Expression();
        return new TernaryExpression(condition, whenTrue, whenFalse, question.Line);
    }

    private static int Precedence(BicepTokenKind kind) => kind switch
    {
        BicepTokenKind.DoubleQuestion => 1,
        BicepTokenKind.Or => 2,
        BicepTokenKind.And => 3,
        BicepTokenKind.Equal or BicepTokenKind.NotEqual or BicepTokenKind.EqualInsensitive or BicepTokenKind.NotEqualInsensitive => 4,
        BicepTokenKind.Less or BicepTokenKind.LessOrEqual or BicepTokenKind.Greater or BicepTokenKind.GreaterOrEqual => 5,
        BicepTokenKind.Plus or BicepTokenKind.Minus => 6,
        BicepTokenKind.Star or BicepTokenKind.Slash or BicepTokenKind.Percent => 7,
        _ => -1,
    };

    // Precedence climbing; every binary operator is left-associative.
    private BicepExpression Binary(int minPrecedence)
    {
        var left = Unary();
        while (true)
        {
            var op = Current;
            var precedence = Precedence(op.Kind);
            if (precedence < 0 || precedence < minPrecedence)
            {
                return left;
            }

            _pos++;
            SkipNewLines();
            var right = Binary(precedence + 1);
            left = new BinaryExpression(op.Kind, left, right, op.Line);
        }
    }

    private BicepExpression Unary()
    {
        if (Current.Kind is BicepTokenKind.Bang or BicepTokenKind.Minus)
        {
            var op = Current;
            _pos++;
            return new UnaryExpression(op.Kind, Unary(), op.Line);
        }

        return Postfix();
    }

    private BicepExpression Postfix()
    {
        var expression = Primary();
        while (true)
        {
            var t = Current;
            switch (t.Kind)
            {
                case BicepTokenKind.Dot or BicepTokenKind.SafeDot or BicepTokenKind.DoubleColon:
                    _pos++;
                    expression = new MemberExpression(expression, Expect(BicepTokenKind.Identifier).Text, t.Kind == BicepTokenKind.SafeDot, t.Line);
                    break;
                case BicepTokenKind.LeftBracket:
                {
                    _pos++;
                    var safe = Accept(BicepTokenKind.Question);
                    SkipNewLines();
                    var index = Expression();
                    SkipNewLines();
                    Expect(BicepTokenKind.RightBracket);
                    expression = new IndexExpression(expression, index, safe, t.Line);
                    break;
                }

                case BicepTokenKind.LeftParen when expression is IdentifierExpression or MemberExpression:
                    expression = new CallExpression(expression, Arguments(), t.Line);
                    break;
                case BicepTokenKind.Bang:
                    _pos++;
                    expression = new NonNullExpression(expression, t.Line);
                    break;
                default:
                    return expression;
            }
        }
    }

    private List<BicepExpression> Arguments()
    {
        Expect(BicepTokenKind.LeftParen);
        var arguments = new List<BicepExpression>();
        SkipNewLines();
        while (Current.Kind != BicepTokenKind.RightParen)
        {
            arguments.Add(Expression());
            SkipNewLines();
            if (!Accept(BicepTokenKind.Comma))
            {
                break;
            }

            SkipNewLines();
        }

        Expect(BicepTokenKind.RightParen);
        return arguments;
    }

    private BicepExpression Primary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case BicepTokenKind.String:
                _pos++;
                return new StringExpression(
                    t.Parts!,
                    t.Holes!.Select(hole => new BicepParser(hole, _file).HoleExpression()).ToList(),
                    t.Line);
            case BicepTokenKind.Integer:
                _pos++;
                return new IntegerExpression(long.Parse(t.Text, CultureInfo.InvariantCulture), t.Line);
            case BicepTokenKind.LeftBrace:
                return Object([], null);
            case BicepTokenKind.LeftBracket:
                return Array([], null);
            case BicepTokenKind.LeftParen:
                if (IsLambdaAhead())
                {
                    return Lambda();
                }

                _pos++;
                SkipNewLines();
                var inner = Expression();
                SkipNewLines();
                Expect(BicepTokenKind.RightParen);
                return inner;
            case BicepTokenKind.Identifier:
                if (_tokens[_pos + 1].Kind == BicepTokenKind.Arrow)
                {
                    return Lambda();
                }

                if (t.Text == "if" && _tokens[_pos + 1].Kind == BicepTokenKind.LeftParen)
                {
                    return If([], null);
                }

                _pos++;
                return t.Text switch
                {
                    "true" => new BooleanExpression(true, t.Line),
                    "false" => new BooleanExpression(false, t.Line),
                    "null" => new NullExpression(t.Line),
                    _ => new IdentifierExpression(t.Text, t.Line),
                };
            default:
                throw Error(t, $"expected an expression, found {t}");
        }
    }

    private BicepExpression HoleExpression()
    {
        var expression = Expression();
        Expect(BicepTokenKind.EndOfFile);
        return expression;
    }

    private bool IsLambdaAhead()
    {
        var depth = 0;
        for (var i = _pos; i < _tokens.Count; i++)
        {
            var kind = _tokens[i].Kind;
            if (kind == BicepTokenKind.LeftParen)
            {
                depth++;
            }
            else if (kind == BicepTokenKind.RightParen && --depth == 0)
            {
                return i + 1 < _tokens.Count && _tokens[i + 1].Kind == BicepTokenKind.Arrow;
            }
        }

        return false;
    }

    private LambdaExpression Lambda()
    {
        var line = Current.Line;
        var parameters = new List<string>();
        if (Accept(BicepTokenKind.LeftParen))
        {
            while (Current.Kind != BicepTokenKind.RightParen)
            {
                parameters.Add(Expect(BicepTokenKind.Identifier).Text);
                if (!Accept(BicepTokenKind.Comma))
                {
                    break;
                }
            }

            Expect(BicepTokenKind.RightParen);
        }
        else
        {
            parameters.Add(Expect(BicepTokenKind.Identifier).Text);
        }

        Expect(BicepTokenKind.Arrow);
        SkipNewLines();
        return new LambdaExpression(parameters, Expression(), line);
    }

    private IfExpression If(List<ResourceDeclaration> all, ResourceDeclaration? self)
    {
        var line = Expect(BicepTokenKind.Identifier).Line;
        Expect(BicepTokenKind.LeftParen);
        SkipNewLines();
        var condition = Expression();
        SkipNewLines();
        Expect(BicepTokenKind.RightParen);
        return new IfExpression(condition, Object(all, self), line);
    }

    private BicepExpression Array(List<ResourceDeclaration> all, ResourceDeclaration? self)
    {
        var open = Expect(BicepTokenKind.LeftBracket);
        SkipNewLines();
        if (Current.IsKeyword("for"))
        {
            _pos++;
            string item;
            string? index = null;
            if (Accept(BicepTokenKind.LeftParen))
            {
                item = Expect(BicepTokenKind.Identifier).Text;
                Expect(BicepTokenKind.Comma);
                index = Expect(BicepTokenKind.Identifier).Text;
                Expect(BicepTokenKind.RightParen);
            }
            else
            {
                item = Expect(BicepTokenKind.Identifier).Text;
            }

            if (!Current.IsKeyword("in"))
            {
                throw Error(Current, "expected 'in' in a for expression");
            }

            _pos++;
            var source = Expression();
            Expect(BicepTokenKind.Colon);
            SkipNewLines();
            BicepExpression body = Current.IsKeyword("if") ? If(all, self)
                : Current.Kind == BicepTokenKind.LeftBrace ? Object(all, self)
                : Expression();
            SkipNewLines();
            Expect(BicepTokenKind.RightBracket);
            return new ForExpression(item, index, source, body, open.Line);
        }

        var items = new List<BicepExpression>();
        while (Current.Kind != BicepTokenKind.RightBracket)
        {
            items.Add(Expression());
            if (Current.Kind == BicepTokenKind.Comma)
            {
                _pos++;
            }
            else if (Current.Kind != BicepTokenKind.NewLine && Current.Kind != BicepTokenKind.RightBracket)
            {
                throw Error(Current, $"expected a newline, ',' or ']' after an array item, found {Current}");
            }

            SkipNewLines();
        }

        Expect(BicepTokenKind.RightBracket);
        return new ArrayExpression(items, open.Line);
    }

    private ObjectExpression Object(List<ResourceDeclaration> all, ResourceDeclaration? self)
    {
        var open = Expect(BicepTokenKind.LeftBrace);
        var properties = new List<ObjectProperty>();
        var nested = new List<ResourceDeclaration>();
        SkipNewLines();
        while (Current.Kind != BicepTokenKind.RightBrace)
        {
            var decorators = Decorators();
            var keyToken = Current;
            if (keyToken.IsKeyword("resource") && _tokens[_pos + 1].Kind == BicepTokenKind.Identifier && self is not null)
            {
                _pos++;
                var child = Resource(decorators, keyToken.Line, self, all);
                nested.Add(child);
                all.Add(child);
            }
            else
            {
                string key;
                StringExpression? keyExpression = null;
                if (keyToken.Kind == BicepTokenKind.Identifier)
                {
                    key = keyToken.Text;
                    _pos++;
                }
                else if (keyToken.Kind == BicepTokenKind.String)
                {
                    keyExpression = (StringExpression)Primary();
                    key = keyToken.Text;
                }
                else
                {
                    throw Error(keyToken, $"expected a property name, found {keyToken}");
                }

                Expect(BicepTokenKind.Colon);
                properties.Add(new ObjectProperty(key, keyExpression is { IsLiteral: false } ? keyExpression : null, Expression(), keyToken.Line));
            }

            if (Current.Kind == BicepTokenKind.Comma)
            {
                _pos++;
            }
            else if (Current.Kind != BicepTokenKind.NewLine && Current.Kind != BicepTokenKind.RightBrace)
            {
                throw Error(Current, $"expected a newline, ',' or '}}' after a property, found {Current}");
            }

            SkipNewLines();
        }

        Expect(BicepTokenKind.RightBrace);
        var duplicate = properties.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new BicepSyntaxException(_file, duplicate.Last().Line, $"property '{duplicate.Key}' is set twice in one object");
        }

        return new ObjectExpression(properties, nested, open.Line);
    }

    private string LiteralString(string what)
    {
        var t = Expect(BicepTokenKind.String);
        if (t.Holes!.Count > 0)
        {
            throw Error(t, $"{what} must be a literal string without ${{...}}");
        }

        return t.Text;
    }

    private void SkipNewLines()
    {
        while (Current.Kind == BicepTokenKind.NewLine)
        {
            _pos++;
        }
    }

    private bool Accept(BicepTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _pos++;
        return true;
    }

    private BicepToken Expect(BicepTokenKind kind)
    {
        var t = Current;
        if (t.Kind != kind)
        {
            throw Error(t, $"expected {kind}, found {t}");
        }

        _pos++;
        return t;
    }

    private BicepSyntaxException Error(BicepToken at, string message) => new(_file, at.Line, message);
}
