namespace MiniGpt5.Deployment.Tests.Bicep;

public sealed class BicepParserTests
{
    [Fact]
    public void Strings_keep_escapes_and_lex_interpolation_holes_recursively()
    {
        var s = Assert.IsType<StringExpression>(BicepParser.ParseExpression("'it\\'s ${concat('a', '}')}-${x.y}\\${z}'"));

        Assert.Equal(["it's ", "-", "${z}"], s.Parts);
        var call = Assert.IsType<CallExpression>(s.Holes[0]);
        Assert.Equal("concat", call.Name);
        Assert.Equal("}", Assert.IsType<StringExpression>(call.Arguments[1]).LiteralValue);
        Assert.Equal("y", Assert.IsType<MemberExpression>(s.Holes[1]).Name);
    }

    [Fact]
    public void Multiline_strings_are_raw()
    {
        var s = Assert.IsType<StringExpression>(BicepParser.ParseExpression("'''\nline ${not} a hole\\n\n'''"));

        Assert.Equal("line ${not} a hole\\n\n", s.LiteralValue);
    }

    [Fact]
    public void Operators_bind_by_precedence_and_ternaries_nest()
    {
        var e = BicepParser.ParseExpression("a || b && c == 'x' ? 1 + 2 * 3 : (d ? 4 : 5)");

        var ternary = Assert.IsType<TernaryExpression>(e);
        var or = Assert.IsType<BinaryExpression>(ternary.Condition);
        Assert.Equal(BicepTokenKind.Or, or.Operator);
        var and = Assert.IsType<BinaryExpression>(or.Right);
        Assert.Equal(BicepTokenKind.And, and.Operator);
        Assert.Equal(BicepTokenKind.Equal, Assert.IsType<BinaryExpression>(and.Right).Operator);
        var sum = Assert.IsType<BinaryExpression>(ternary.WhenTrue);
        Assert.Equal(BicepTokenKind.Plus, sum.Operator);
        Assert.Equal(BicepTokenKind.Star, Assert.IsType<BinaryExpression>(sum.Right).Operator);
        Assert.IsType<TernaryExpression>(ternary.WhenFalse);
    }

    [Fact]
    public void Lambdas_non_null_assertions_and_safe_access_parse()
    {
        var map = Assert.IsType<CallExpression>(BicepParser.ParseExpression("map(range(0, n), i => '${p}-${padLeft(i, 2, '0')}')"));
        var lambda = Assert.IsType<LambdaExpression>(map.Arguments[1]);
        Assert.Equal(["i"], lambda.Parameters);

        var twoParameters = Assert.IsType<CallExpression>(BicepParser.ParseExpression("reduce(xs, 0, (acc, x) => acc + x)"));
        Assert.Equal(["acc", "x"], Assert.IsType<LambdaExpression>(twoParameters.Arguments[2]).Parameters);

        var member = Assert.IsType<MemberExpression>(BicepParser.ParseExpression("api!.outputs.url"));
        Assert.IsType<NonNullExpression>(Assert.IsType<MemberExpression>(member.Target).Target);
        Assert.True(Assert.IsType<MemberExpression>(BicepParser.ParseExpression("a.?b")).Safe);
        Assert.IsType<UnaryExpression>(BicepParser.ParseExpression("!a"));
        Assert.Equal(BicepTokenKind.NotEqual, Assert.IsType<BinaryExpression>(BicepParser.ParseExpression("a != b")).Operator);
    }

    [Fact]
    public void Objects_and_arrays_take_newlines_or_commas_and_interpolated_keys()
    {
        var o = Assert.IsType<ObjectExpression>(BicepParser.ParseExpression("{\n  a: 1\n  'b-c': [\n    1\n    2, 3\n  ]\n  '${id}': {}\n  d: { e: true, f: null }\n}"));

        Assert.Equal(["a", "b-c", "${...}", "d"], o.Properties.Select(p => p.Key));
        Assert.Equal(3, Assert.IsType<ArrayExpression>(o["b-c"]).Items.Count);
        Assert.NotNull(o.Properties[2].KeyExpression);
        Assert.IsType<NullExpression>(BicepFile.Navigate(o, "d", "f"));
    }

    [Fact]
    public void Declarations_decorators_and_types_are_read()
    {
        const string text = """
            targetScope = 'resourceGroup'

            @description('Where.')
            param location string = resourceGroup().location

            @sys.description('Secret.')
            @secure()
            param key string

            @allowed([
              'a'
              'b'
            ])
            param choice 'a' | 'b' = 'a'

            param shape {
              name: string
            }[]

            type pair = { left: int, right: int }

            var names = [for (n, i) in range(0, 3): 'x${i}']

            resource st 'Microsoft.Storage/storageAccounts@2025-01-01' = {
              name: 'st'
              resource blobs 'blobServices' = {
                name: 'default'
              }
            }

            resource old 'Microsoft.Storage/storageAccounts@2025-01-01' existing = if (true) {
              name: 'old'
            }

            module m 'modules/m.bicep' = [for x in names: {
              name: x
              params: { a: x }
            }]

            @description('Out.')
            output url string = 'https://${st.name}'
            """;

        var file = BicepParser.Parse(text, "sample.bicep");

        Assert.Equal("resourceGroup", file.TargetScope);
        Assert.Equal(["location", "key", "choice", "shape"], file.Parameters.Select(p => p.Name));
        Assert.Equal("Where.", file.Parameter("location").Description);
        Assert.Equal("Secret.", file.Parameter("key").Description);
        Assert.True(file.Parameter("key").IsSecure);
        Assert.Null(file.Parameter("key").Default);
        Assert.Equal("'a' | 'b'", file.Parameter("choice").Type);
        Assert.StartsWith("{", file.Parameter("shape").Type, StringComparison.Ordinal);
        Assert.IsType<ForExpression>(file.Variable("names").Value);
        Assert.Equal(
            ["Microsoft.Storage/storageAccounts/blobServices@2025-01-01", "Microsoft.Storage/storageAccounts@2025-01-01", "Microsoft.Storage/storageAccounts@2025-01-01"],
            file.Resources.Select(r => $"{r.Type}@{r.ApiVersion}"));
        Assert.True(file.Resources.Single(r => r.Name == "old").Existing);
        var module = Assert.Single(file.Modules);
        Assert.Equal("modules/m.bicep", module.Path);
        Assert.IsType<IdentifierExpression>(module.Params["a"]);
        Assert.Equal("Out.", Assert.Single(file.Outputs).Description);
    }

    [Theory]
    [InlineData("var a = 'unterminated\n", "unterminated string")]
    [InlineData("resource r 'Microsoft.Storage/storageAccounts' = {}\n", "no @apiVersion")]
    [InlineData("var o = {\n  a: 1\n  a: 2\n}\n", "set twice")]
    [InlineData("variable a = 1\n", "unknown statement")]
    [InlineData("var a = 1 2\n", "end of the line")]
    [InlineData("var a = '${b'\n", "unterminated")]
    [InlineData("var a = [\n  1 2\n]\n", "array item")]
    [InlineData("module m '${x}.bicep' = {}\n", "literal string")]
    public void Malformed_bicep_is_refused_with_file_and_line(string text, string expected)
    {
        var error = Assert.Throws<BicepSyntaxException>(() => BicepParser.Parse(text, "bad.bicep"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.bicep:", error.Message, StringComparison.Ordinal);
    }
}
