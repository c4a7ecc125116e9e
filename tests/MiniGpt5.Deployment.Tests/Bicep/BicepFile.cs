namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>A parsed Bicep file: its declarations by kind, and helpers to walk expressions.</summary>
internal sealed record BicepFile(
    string Path,
    string? TargetScope,
    IReadOnlyList<ParameterDeclaration> Parameters,
    IReadOnlyList<VariableDeclaration> Variables,
    IReadOnlyList<ResourceDeclaration> Resources,
    IReadOnlyList<ModuleDeclaration> Modules,
    IReadOnlyList<OutputDeclaration> Outputs)
{
    public static BicepFile Load(string path) => BicepParser.Parse(File.ReadAllText(path), path);

    public ParameterDeclaration Parameter(string name) =>
        Parameters.SingleOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"{Path}: no param '{name}'");

    public VariableDeclaration Variable(string name) =>
        Variables.SingleOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"{Path}: no var '{name}'");

    /// <summary>Every symbol a reference may name: params, vars, resources (also nested) and modules.</summary>
    public IEnumerable<string> Symbols =>
        Parameters.Select(p => p.Name)
            .Concat(Variables.Select(v => v.Name))
            .Concat(Resources.Select(r => r.Name))
            .Concat(Modules.Select(m => m.Name));

    /// <summary>Every expression in the file: declarations' values, defaults and decorators.</summary>
    public IEnumerable<BicepExpression> RootExpressions =>
        Parameters.SelectMany(p => p.Decorators.Cast<BicepExpression>().Append(p.Default))
            .Concat(Variables.SelectMany(v => v.Decorators.Cast<BicepExpression>().Append(v.Value)))
            .Concat(Resources.SelectMany(r => r.Decorators.Cast<BicepExpression>().Append(r.Value)))
            .Concat(Modules.SelectMany(m => m.Decorators.Cast<BicepExpression>().Append(m.Value)))
            .Concat(Outputs.SelectMany(o => o.Decorators.Cast<BicepExpression>().Append(o.Value)))
            .OfType<BicepExpression>();

    /// <summary>A resource or module body without its <c>if (...)</c> or <c>[for ...]</c> wrapper.</summary>
    public static ObjectExpression UnwrapBody(BicepExpression value) => value switch
    {
        ObjectExpression o => o,
        IfExpression i => UnwrapBody(i.Body),
        ForExpression f => UnwrapBody(f.Body),
        _ => throw new InvalidOperationException($"line {value.Line}: a resource or module body must be an object, not {value.GetType().Name}"),
    };

    /// <summary>The expression and everything inside it, depth first.</summary>
    public static IEnumerable<BicepExpression> Descendants(BicepExpression root)
    {
        var stack = new Stack<BicepExpression>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            yield return e;
            foreach (var child in Children(e))
            {
                stack.Push(child);
            }
        }
    }

    private static IEnumerable<BicepExpression> Children(BicepExpression e) => e switch
    {
        StringExpression s => s.Holes,
        MemberExpression m => [m.Target],
        IndexExpression i => [i.Target, i.Index],
        CallExpression c => c.Arguments.Prepend(c.Callee),
        NonNullExpression n => [n.Operand],
        UnaryExpression u => [u.Operand],
        BinaryExpression b => [b.Left, b.Right],
        TernaryExpression t => [t.Condition, t.WhenTrue, t.WhenFalse],
        LambdaExpression l => [l.Body],
        ArrayExpression a => a.Items,
        ForExpression f => [f.Source, f.Body],
        IfExpression i => [i.Condition, i.Body],
        ObjectExpression o => o.Properties.SelectMany(p => p.KeyExpression is null ? [p.Value] : new BicepExpression[] { p.KeyExpression, p.Value })
            .Concat(o.NestedResources.Select(r => r.Value)),
        _ => [],
    };

    /// <summary>Follows a path of property names through nested object literals.</summary>
    public static BicepExpression? Navigate(BicepExpression root, params string[] path)
    {
        var current = root;
        foreach (var key in path)
        {
            if (current is not ObjectExpression o || o[key] is not { } next)
            {
                return null;
            }

            current = next;
        }

        return current;
    }
}
