namespace MiniGpt5.Deployment.Tests.Bicep;

public sealed class BicepEvaluatorTests
{
    private const string Template = """
        param hubName string = 'hub'
        param partitions int = 3
        param required string
        var hub = {
          control: map(range(0, partitions), i => '${hubName}-control-${padLeft(i, 2, '0')}')
          gpu: '${hubName}-activities-gpu'
        }
        var all = concat(hub.control, [
          hub.gpu
        ])
        var size = partitions > 2 ? { cpu: 8 } : { cpu: 24 }
        var fromResource = '${st.name}-x'
        var guarded = false && st.properties.missing
        resource st 'Microsoft.Storage/storageAccounts@2025-01-01' = {
          name: 'st${uniqueString(resourceGroup().id)}'
        }
        """;

    [Fact]
    public void Vars_evaluate_from_parameter_defaults()
    {
        var evaluator = new BicepEvaluator(BicepParser.Parse(Template, "t.bicep"));

        Assert.Equal(new List<object?> { "hub-control-00", "hub-control-01", "hub-control-02", "hub-activities-gpu" }, evaluator.Variable("all"));
        Assert.Equal(8L, ((Dictionary<string, object?>)evaluator.Variable("size")!)["cpu"]);
        Assert.False((bool)evaluator.Variable("guarded")!);
    }

    [Fact]
    public void Supplied_parameters_override_defaults()
    {
        var evaluator = new BicepEvaluator(
            BicepParser.Parse(Template, "t.bicep"),
            new Dictionary<string, object?> { ["hubName"] = "renamed", ["partitions"] = 1L });

        Assert.Equal(new List<object?> { "renamed-control-00", "renamed-activities-gpu" }, evaluator.Variable("all"));
        Assert.Equal(24L, ((Dictionary<string, object?>)evaluator.Variable("size")!)["cpu"]);
    }

    [Fact]
    public void Deployment_time_values_stay_unknown()
    {
        var evaluator = new BicepEvaluator(BicepParser.Parse(Template, "t.bicep"));

        Assert.IsType<BicepUnknown>(evaluator.Variable("fromResource"));
        Assert.IsType<BicepUnknown>(evaluator.Parameter("required"));
    }

    [Fact]
    public void Undeclared_names_and_missing_properties_fail_loudly()
    {
        var file = BicepParser.Parse("var a = b\nvar c = { x: 1 }.y\n", "t.bicep");
        var evaluator = new BicepEvaluator(file);

        Assert.Contains("'b' is not declared", Assert.Throws<InvalidOperationException>(() => evaluator.Variable("a")).Message, StringComparison.Ordinal);
        Assert.Contains("no property 'y'", Assert.Throws<InvalidOperationException>(() => evaluator.Variable("c")).Message, StringComparison.Ordinal);
    }
}
