namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>One identifier use: a reference to a symbol or local, or the name of a called function.</summary>
internal sealed record BicepReference(string Name, int Line, bool IsFunction, bool IsLocal);

/// <summary>Finds every identifier an expression uses, tracking lambda and for-loop variables as locals.</summary>
internal static class BicepReferences
{
    public static IEnumerable<BicepReference> In(BicepExpression expression) => Walk(expression, new HashSet<string>(StringComparer.Ordinal));

    private static IEnumerable<BicepReference> Walk(BicepExpression e, HashSet<string> locals)
    {
        switch (e)
        {
            case IdentifierExpression id:
                yield return new BicepReference(id.Name, id.Line, IsFunction: false, IsLocal: locals.Contains(id.Name));
                yield break;
            case CallExpression { Callee: IdentifierExpression fn } call:
                yield return new BicepReference(fn.Name, call.Line, IsFunction: true, IsLocal: false);
                foreach (var r in call.Arguments.SelectMany(a => Walk(a, locals)))
                {
                    yield return r;
                }

                yield break;
            case CallExpression { Callee: MemberExpression { Target: IdentifierExpression { Name: "sys" or "az" } } member } call:
                yield return new BicepReference(member.Name, call.Line, IsFunction: true, IsLocal: false);
                foreach (var r in call.Arguments.SelectMany(a => Walk(a, locals)))
                {
                    yield return r;
                }

                yield break;
            case LambdaExpression lambda:
            {
                var inner = new HashSet<string>(locals, StringComparer.Ordinal);
                inner.UnionWith(lambda.Parameters);
                foreach (var r in Walk(lambda.Body, inner))
                {
                    yield return r;
                }

                yield break;
            }

            case ForExpression loop:
            {
                foreach (var r in Walk(loop.Source, locals))
                {
                    yield return r;
                }

                var inner = new HashSet<string>(locals, StringComparer.Ordinal) { loop.ItemVariable };
                if (loop.IndexVariable is not null)
                {
                    inner.Add(loop.IndexVariable);
                }

                foreach (var r in Walk(loop.Body, inner))
                {
                    yield return r;
                }

                yield break;
            }
        }

        foreach (var child in DirectChildren(e))
        {
            foreach (var r in Walk(child, locals))
            {
                yield return r;
            }
        }
    }

    private static IEnumerable<BicepExpression> DirectChildren(BicepExpression e) => e switch
    {
        StringExpression s => s.Holes,
        MemberExpression m => [m.Target],
        IndexExpression i => [i.Target, i.Index],
        CallExpression c => c.Arguments.Prepend(c.Callee),
        NonNullExpression n => [n.Operand],
        UnaryExpression u => [u.Operand],
        BinaryExpression b => [b.Left, b.Right],
        TernaryExpression t => [t.Condition, t.WhenTrue, t.WhenFalse],
        ArrayExpression a => a.Items,
        IfExpression i => [i.Condition, i.Body],
        ObjectExpression o => o.Properties.SelectMany(p => p.KeyExpression is null ? [p.Value] : new BicepExpression[] { p.KeyExpression, p.Value })
            .Concat(o.NestedResources.Select(r => r.Value)),
        _ => [],
    };
}
