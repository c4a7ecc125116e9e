using System.Reflection;

namespace MiniGpt5.GpuTestRunner;

/// <summary>One runnable test: a method and, for a theory, one row of its inline data.</summary>
internal sealed record TestCase(MethodInfo Method, object?[] Arguments, string DisplayName, string? SkipReason)
{
    /// <summary>Every fact and inline-data theory row in <paramref name="assembly"/>, in declaration order by class.</summary>
    public static IEnumerable<TestCase> Discover(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true }).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).OrderBy(m => m.MetadataToken))
            {
                var fact = method.GetCustomAttributes().FirstOrDefault(a => DerivesFrom(a.GetType(), "Xunit.FactAttribute"));
                if (fact is null)
                {
                    continue;
                }

                var skip = fact.GetType().GetProperty("Skip")?.GetValue(fact) as string;
                var name = $"{type.FullName}.{method.Name}";
                if (!DerivesFrom(fact.GetType(), "Xunit.TheoryAttribute"))
                {
                    yield return new TestCase(method, [], name, skip);
                    continue;
                }

                // The attribute instances hold the rows already typed (nested arrays as int[], not object[]).
                var rows = method.GetCustomAttributes().Where(a => a.GetType().FullName == "Xunit.InlineDataAttribute")
                    .SelectMany(a => (IEnumerable<object?[]>)a.GetType().GetMethod("GetData")!.Invoke(a, [method])!)
                    .ToList();
                if (rows.Count == 0)
                {
                    yield return new TestCase(method, [], name, skip ?? "theory without [InlineData] rows (member data is not supported by this runner)");
                }

                foreach (var values in rows)
                {
                    yield return new TestCase(method, values, $"{name}({string.Join(", ", values.Select(Show))})", skip);
                }
            }
        }
    }

    /// <summary>Runs the test in a fresh instance of its class; returns the failure, or null when it passed.</summary>
    public async Task<Exception?> RunAsync()
    {
        object? instance = null;
        try
        {
            instance = Method.IsStatic ? null : Activator.CreateInstance(Method.DeclaringType!);
            var result = Method.Invoke(instance, Arguments);
            if (result is Task task)
            {
                await task.ConfigureAwait(false);
            }
            else if (result is ValueTask valueTask)
            {
                await valueTask.ConfigureAwait(false);
            }

            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return e.InnerException;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    private static bool DerivesFrom(Type? type, string fullName)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.FullName == fullName)
            {
                return true;
            }
        }

        return false;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(Show))}]",
        _ => value.ToString() ?? "",
    };
}
