using System.Globalization;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// Evaluates the deploy-time-constant part of a Bicep file: literals, interpolation, params (supplied
/// values, else defaults), vars, lambdas and the functions our templates use. Anything that needs Azure
/// (resource properties, module outputs, resourceGroup(), uniqueString()) becomes a <see cref="BicepUnknown"/>.
/// Values are string, long, bool, null, List&lt;object?&gt;, Dictionary&lt;string, object?&gt; or BicepUnknown.
/// </summary>
internal sealed class BicepEvaluator
{
    private readonly BicepFile _file;
    private readonly IReadOnlyDictionary<string, object?> _suppliedParameters;
    private readonly Dictionary<string, object?> _variableCache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _evaluating = new(StringComparer.Ordinal);

    public BicepEvaluator(BicepFile file, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        _file = file;
        _suppliedParameters = parameters ?? new Dictionary<string, object?>();
    }

    public object? Evaluate(BicepExpression expression) => Evaluate(expression, Empty);

    public object? Variable(string name)
    {
        if (_variableCache.TryGetValue(name, out var cached))
        {
            return cached;
        }

        if (!_evaluating.Add(name))
        {
            throw new InvalidOperationException($"{_file.Path}: var '{name}' refers to itself");
        }

        var value = Evaluate(_file.Variable(name).Value, Empty);
        _evaluating.Remove(name);
        _variableCache[name] = value;
        return value;
    }

    public object? Parameter(string name)
    {
        if (_suppliedParameters.TryGetValue(name, out var supplied))
        {
            return supplied;
        }

        var declaration = _file.Parameter(name);
        return declaration.Default is null ? new BicepUnknown($"param {name} (no default)") : Evaluate(declaration.Default, Empty);
    }

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();

    private object? Evaluate(BicepExpression expression, IReadOnlyDictionary<string, object?> locals)
    {
        switch (expression)
        {
            case StringExpression s:
                return Interpolate(s, locals);
            case IntegerExpression i:
                return i.Value;
            case BooleanExpression b:
                return b.Value;
            case NullExpression:
                return null;
            case IdentifierExpression id:
                return Resolve(id, locals);
            case NonNullExpression n:
                return Evaluate(n.Operand, locals);
            case MemberExpression m:
                return Member(Evaluate(m.Target, locals), m.Name, m);
            case IndexExpression ix:
                return Index(Evaluate(ix.Target, locals), Evaluate(ix.Index, locals), ix);
            case ArrayExpression a:
                return a.Items.Select(item => Evaluate(item, locals)).ToList();
            case ObjectExpression o:
                return o.Properties.ToDictionary(
                    p => p.KeyExpression is null ? p.Key : Interpolate(p.KeyExpression, locals)?.ToString() ?? p.Key,
                    p => Evaluate(p.Value, locals),
                    StringComparer.Ordinal);
            case UnaryExpression u:
                return Unary(u, Evaluate(u.Operand, locals));
            case BinaryExpression b:
                return Binary(b, locals);
            case TernaryExpression t:
                return Evaluate(t.Condition, locals) switch
                {
                    true => Evaluate(t.WhenTrue, locals),
                    false => Evaluate(t.WhenFalse, locals),
                    var other => new BicepUnknown($"condition {other} at line {t.Line}"),
                };
            case ForExpression f:
                return Evaluate(f.Source, locals) is List<object?> items
                    ? items.Select((item, index) => Evaluate(f.Body, With(locals, f.ItemVariable, item, f.IndexVariable, (long)index))).ToList()
                    : new BicepUnknown($"for at line {f.Line}");
            case CallExpression c:
                return Call(c, locals);
            case LambdaExpression:
                throw new InvalidOperationException($"{_file.Path}:{expression.Line}: a lambda can only be passed to a function");
            default:
                return new BicepUnknown($"{expression.GetType().Name} at line {expression.Line}");
        }
    }

    private object? Resolve(IdentifierExpression id, IReadOnlyDictionary<string, object?> locals)
    {
        if (locals.TryGetValue(id.Name, out var local))
        {
            return local;
        }

        if (_file.Parameters.Any(p => p.Name == id.Name))
        {
            return Parameter(id.Name);
        }

        if (_file.Variables.Any(v => v.Name == id.Name))
        {
            return Variable(id.Name);
        }

        if (_file.Resources.Any(r => r.Name == id.Name) || _file.Modules.Any(m => m.Name == id.Name))
        {
            return new BicepUnknown(id.Name);
        }

        throw new InvalidOperationException($"{_file.Path}:{id.Line}: '{id.Name}' is not declared");
    }

    private object? Interpolate(StringExpression s, IReadOnlyDictionary<string, object?> locals)
    {
        if (s.IsLiteral)
        {
            return s.Parts[0];
        }

        var text = new System.Text.StringBuilder(s.Parts[0]);
        for (var i = 0; i < s.Holes.Count; i++)
        {
            var value = Evaluate(s.Holes[i], locals);
            if (value is BicepUnknown unknown)
            {
                return new BicepUnknown($"string with {unknown.What}");
            }

            text.Append(Stringify(value)).Append(s.Parts[i + 1]);
        }

        return text.ToString();
    }

    private static object? Member(object? target, string name, MemberExpression at) => target switch
    {
        Dictionary<string, object?> d => d.TryGetValue(name, out var v) ? v
            : at.Safe ? null
            : throw new InvalidOperationException($"line {at.Line}: object has no property '{name}' (has {string.Join(", ", d.Keys)})"),
        BicepUnknown u => new BicepUnknown($"{u.What}.{name}"),
        null when at.Safe => null,
        _ => throw new InvalidOperationException($"line {at.Line}: cannot read '.{name}' of {Describe(target)}"),
    };

    private static object? Index(object? target, object? index, IndexExpression at) => (target, index) switch
    {
        (List<object?> list, long i) => i >= 0 && i < list.Count ? list[(int)i]
            : at.Safe ? null
            : throw new InvalidOperationException($"line {at.Line}: index {i} is outside an array of {list.Count}"),
        (Dictionary<string, object?> d, string key) => d.TryGetValue(key, out var v) ? v : at.Safe ? null
            : throw new InvalidOperationException($"line {at.Line}: object has no property '{key}'"),
        (BicepUnknown, _) or (_, BicepUnknown) => new BicepUnknown($"index at line {at.Line}"),
        _ => throw new InvalidOperationException($"line {at.Line}: cannot index {Describe(target)} with {Describe(index)}"),
    };

    private static object? Unary(UnaryExpression u, object? operand) => (u.Operator, operand) switch
    {
        (BicepTokenKind.Bang, bool b) => !b,
        (BicepTokenKind.Minus, long n) => -n,
        (_, BicepUnknown unknown) => unknown,
        _ => throw new InvalidOperationException($"line {u.Line}: cannot apply {u.Operator} to {Describe(operand)}"),
    };

    private object? Binary(BinaryExpression b, IReadOnlyDictionary<string, object?> locals)
    {
        var left = Evaluate(b.Left, locals);

        // && and || short-circuit, so a guarded branch is not evaluated.
        if (b.Operator == BicepTokenKind.And && left is false)
        {
            return false;
        }

        if (b.Operator == BicepTokenKind.Or && left is true)
        {
            return true;
        }

        if (b.Operator == BicepTokenKind.DoubleQuestion)
        {
            return left ?? Evaluate(b.Right, locals);
        }

        var right = Evaluate(b.Right, locals);
        if (left is BicepUnknown || right is BicepUnknown)
        {
            return new BicepUnknown($"{b.Operator} at line {b.Line}");
        }

        return (b.Operator, left, right) switch
        {
            (BicepTokenKind.And, bool l, bool r) => l && r,
            (BicepTokenKind.Or, bool l, bool r) => l || r,
            (BicepTokenKind.Equal, _, _) => ValueEquals(left, right),
            (BicepTokenKind.NotEqual, _, _) => !ValueEquals(left, right),
            (BicepTokenKind.EqualInsensitive, string l, string r) => string.Equals(l, r, StringComparison.OrdinalIgnoreCase),
            (BicepTokenKind.NotEqualInsensitive, string l, string r) => !string.Equals(l, r, StringComparison.OrdinalIgnoreCase),
            (BicepTokenKind.Less, long l, long r) => l < r,
            (BicepTokenKind.LessOrEqual, long l, long r) => l <= r,
            (BicepTokenKind.Greater, long l, long r) => l > r,
            (BicepTokenKind.GreaterOrEqual, long l, long r) => l >= r,
            (BicepTokenKind.Plus, long l, long r) => l + r,
            (BicepTokenKind.Minus, long l, long r) => l - r,
            (BicepTokenKind.Star, long l, long r) => l * r,
            (BicepTokenKind.Slash, long l, long r) => l / r,
            (BicepTokenKind.Percent, long l, long r) => l % r,
            _ => throw new InvalidOperationException($"line {b.Line}: cannot apply {b.Operator} to {Describe(left)} and {Describe(right)}"),
        };
    }

    private object? Call(CallExpression c, IReadOnlyDictionary<string, object?> locals)
    {
        if (c.Callee is MemberExpression { Target: not IdentifierExpression { Name: "sys" or "az" } })
        {
            // A method on a resource (listKeys(), getSecret()): known only at deployment.
            return new BicepUnknown($"{c.Name}() at line {c.Line}");
        }

        if (c.Name is "map" or "filter")
        {
            var source = Evaluate(c.Arguments[0], locals);
            if (source is not List<object?> list)
            {
                return new BicepUnknown($"{c.Name} at line {c.Line}");
            }

            var lambda = c.Arguments[1] as LambdaExpression
                ?? throw new InvalidOperationException($"{_file.Path}:{c.Line}: {c.Name} needs a lambda");
            return c.Name == "map"
                ? list.Select(item => Evaluate(lambda.Body, With(locals, lambda.Parameters[0], item))).ToList()
                : list.Where(item => Evaluate(lambda.Body, With(locals, lambda.Parameters[0], item)) is true).ToList();
        }

        var args = c.Arguments.Select(a => Evaluate(a, locals)).ToList();
        if (args.Any(a => a is BicepUnknown) && c.Name is not ("empty" or "concat"))
        {
            return new BicepUnknown($"{c.Name}() at line {c.Line}");
        }

        return c.Name switch
        {
            "concat" when args.All(a => a is List<object?>) => args.Cast<List<object?>>().SelectMany(l => l).ToList(),
            "concat" when args.Any(a => a is BicepUnknown) => new BicepUnknown($"concat at line {c.Line}"),
            "concat" => string.Concat(args.Select(Stringify)),
            "range" => Enumerable.Range((int)(long)args[0]!, (int)(long)args[1]!).Select(i => (object?)(long)i).ToList(),
            "padLeft" => Stringify(args[0]).PadLeft((int)(long)args[1]!, ((string)args[2]!)[0]),
            "string" => Stringify(args[0]),
            "int" => args[0] is long n ? n : long.Parse((string)args[0]!, CultureInfo.InvariantCulture),
            "toLower" => ((string)args[0]!).ToLowerInvariant(),
            "toUpper" => ((string)args[0]!).ToUpperInvariant(),
            "length" => args[0] switch
            {
                string s => (long)s.Length,
                List<object?> l => (long)l.Count,
                Dictionary<string, object?> d => (long)d.Count,
                _ => throw new InvalidOperationException($"line {c.Line}: length of {Describe(args[0])}"),
            },
            "empty" => args[0] switch
            {
                BicepUnknown => new BicepUnknown($"empty() at line {c.Line}"),
                null => true,
                string s => s.Length == 0,
                List<object?> l => l.Count == 0,
                Dictionary<string, object?> d => d.Count == 0,
                _ => false,
            },
            "contains" => args[0] switch
            {
                string s => s.Contains((string)args[1]!, StringComparison.Ordinal),
                List<object?> l => l.Any(item => ValueEquals(item, args[1])),
                Dictionary<string, object?> d => d.ContainsKey((string)args[1]!),
                _ => throw new InvalidOperationException($"line {c.Line}: contains on {Describe(args[0])}"),
            },
            "union" when args.All(a => a is Dictionary<string, object?>) => args.Cast<Dictionary<string, object?>>()
                .SelectMany(d => d).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
            _ => new BicepUnknown($"{c.Name}() at line {c.Line}"),
        };
    }

    private static Dictionary<string, object?> With(
        IReadOnlyDictionary<string, object?> locals, string name, object? value, string? name2 = null, object? value2 = null)
    {
        var scope = new Dictionary<string, object?>(locals, StringComparer.Ordinal) { [name] = value };
        if (name2 is not null)
        {
            scope[name2] = value2;
        }

        return scope;
    }

    private static bool ValueEquals(object? a, object? b) => (a, b) switch
    {
        (List<object?> l, List<object?> r) => l.Count == r.Count && l.Zip(r).All(p => ValueEquals(p.First, p.Second)),
        _ => Equals(a, b),
    };

    private static string Stringify(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        long n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => throw new InvalidOperationException($"cannot turn {Describe(value)} into a string"),
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"string '{s}'",
        List<object?> l => $"array of {l.Count}",
        Dictionary<string, object?> => "object",
        _ => value.ToString() ?? value.GetType().Name,
    };
}
