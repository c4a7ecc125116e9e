namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>A Bicep expression. The node types below cover what deployment templates are written with.</summary>
internal abstract record BicepExpression(int Line);

/// <summary>A string; literal when it has no holes. Parts.Count == Holes.Count + 1.</summary>
internal sealed record StringExpression(IReadOnlyList<string> Parts, IReadOnlyList<BicepExpression> Holes, int Line)
    : BicepExpression(Line)
{
    public bool IsLiteral => Holes.Count == 0;

    public string? LiteralValue => IsLiteral ? Parts[0] : null;
}

internal sealed record IntegerExpression(long Value, int Line) : BicepExpression(Line);

internal sealed record BooleanExpression(bool Value, int Line) : BicepExpression(Line);

internal sealed record NullExpression(int Line) : BicepExpression(Line);

/// <summary>A reference to a parameter, variable, resource, module, or a lambda/loop variable.</summary>
internal sealed record IdentifierExpression(string Name, int Line) : BicepExpression(Line);

/// <summary><c>target.name</c>, <c>target.?name</c> (Safe) or <c>target::name</c> (nested resource).</summary>
internal sealed record MemberExpression(BicepExpression Target, string Name, bool Safe, int Line) : BicepExpression(Line);

internal sealed record IndexExpression(BicepExpression Target, BicepExpression Index, bool Safe, int Line) : BicepExpression(Line);

/// <summary>A call: <c>concat(a, b)</c>, <c>sys.description('x')</c>, <c>workspace.listKeys()</c>.</summary>
internal sealed record CallExpression(BicepExpression Callee, IReadOnlyList<BicepExpression> Arguments, int Line) : BicepExpression(Line)
{
    /// <summary>The function name without its namespace or target (<c>description</c> for <c>sys.description</c>).</summary>
    public string Name => Callee switch
    {
        IdentifierExpression id => id.Name,
        MemberExpression member => member.Name,
        _ => string.Empty,
    };
}

/// <summary>Postfix <c>!</c>: asserts a possibly-null value (a conditional module's outputs) is present.</summary>
internal sealed record NonNullExpression(BicepExpression Operand, int Line) : BicepExpression(Line);

internal sealed record UnaryExpression(BicepTokenKind Operator, BicepExpression Operand, int Line) : BicepExpression(Line);

internal sealed record BinaryExpression(BicepTokenKind Operator, BicepExpression Left, BicepExpression Right, int Line) : BicepExpression(Line);

internal sealed record TernaryExpression(BicepExpression Condition, BicepExpression WhenTrue, BicepExpression WhenFalse, int Line) : BicepExpression(Line);

internal sealed record LambdaExpression(IReadOnlyList<string> Parameters, BicepExpression Body, int Line) : BicepExpression(Line);

internal sealed record ArrayExpression(IReadOnlyList<BicepExpression> Items, int Line) : BicepExpression(Line);

/// <summary><c>[for item in source: body]</c> or <c>[for (item, index) in source: body]</c>.</summary>
internal sealed record ForExpression(string ItemVariable, string? IndexVariable, BicepExpression Source, BicepExpression Body, int Line) : BicepExpression(Line);

/// <summary><c>if (condition) { ... }</c>: a conditional resource or module body.</summary>
internal sealed record IfExpression(BicepExpression Condition, BicepExpression Body, int Line) : BicepExpression(Line);

/// <summary>One <c>key: value</c> of an object. Key is the literal key text (interpolated keys keep their <c>${...}</c>).</summary>
internal sealed record ObjectProperty(string Key, StringExpression? KeyExpression, BicepExpression Value, int Line);

internal sealed record ObjectExpression(IReadOnlyList<ObjectProperty> Properties, IReadOnlyList<ResourceDeclaration> NestedResources, int Line)
    : BicepExpression(Line)
{
    /// <summary>The value of property <paramref name="key"/>, or null.</summary>
    public BicepExpression? this[string key] => Properties.FirstOrDefault(p => p.Key == key)?.Value;
}
