namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>A top-level declaration with its decorators (<c>@description(...)</c>, <c>@secure()</c>, ...).</summary>
internal abstract record BicepDeclaration(string Name, IReadOnlyList<CallExpression> Decorators, int Line)
{
    /// <summary>The decorator called <paramref name="name"/> (also as <c>sys.name</c>), or null.</summary>
    public CallExpression? Decorator(string name) => Decorators.FirstOrDefault(d => d.Name == name);

    /// <summary>The literal text of <c>@description('...')</c>, or null when absent or not a literal.</summary>
    public string? Description =>
        Decorator("description")?.Arguments is [StringExpression { IsLiteral: true } s, ..] ? s.LiteralValue : null;
}

/// <summary><c>param name type = default</c>.</summary>
internal sealed record ParameterDeclaration(string Name, string Type, BicepExpression? Default, IReadOnlyList<CallExpression> Decorators, int Line)
    : BicepDeclaration(Name, Decorators, Line)
{
    public bool IsSecure => Decorator("secure") is not null;
}

/// <summary><c>var name = value</c>.</summary>
internal sealed record VariableDeclaration(string Name, BicepExpression Value, IReadOnlyList<CallExpression> Decorators, int Line)
    : BicepDeclaration(Name, Decorators, Line);

/// <summary><c>resource symbol 'Type@apiVersion' [existing] = body</c> (nested resources get their full type).</summary>
internal sealed record ResourceDeclaration(string Name, string Type, string ApiVersion, bool Existing, BicepExpression Value, IReadOnlyList<CallExpression> Decorators, int Line)
    : BicepDeclaration(Name, Decorators, Line)
{
    /// <summary>The resource body, looking through <c>if (...)</c> and <c>[for ...]</c>.</summary>
    public ObjectExpression Body => BicepFile.UnwrapBody(Value);
}

/// <summary><c>module symbol 'path' = body</c>.</summary>
internal sealed record ModuleDeclaration(string Name, string Path, BicepExpression Value, IReadOnlyList<CallExpression> Decorators, int Line)
    : BicepDeclaration(Name, Decorators, Line)
{
    public ObjectExpression Body => BicepFile.UnwrapBody(Value);

    /// <summary>The <c>params: { ... }</c> object, or an empty one.</summary>
    public ObjectExpression Params => Body["params"] as ObjectExpression ?? new ObjectExpression([], [], Line);
}

/// <summary><c>output name type = value</c>.</summary>
internal sealed record OutputDeclaration(string Name, string Type, BicepExpression Value, IReadOnlyList<CallExpression> Decorators, int Line)
    : BicepDeclaration(Name, Decorators, Line);
