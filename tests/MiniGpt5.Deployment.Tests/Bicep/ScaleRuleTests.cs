using MiniGpt5.Storage;

namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// The GPU workers scale on the task hub's gpu activity queue, and that name is written once: the <c>hub</c>
/// var in main.bicep, derived from taskHubName. These tests follow the name through the module boundary.
/// </summary>
public sealed class ScaleRuleTests
{
    [Theory]
    [InlineData("modules/gpuWorkerApp.bicep")]
    [InlineData("modules/gpuWorkerJob.bicep")]
    public void Scale_rule_watches_the_hub_gpu_activity_queue_from_the_hub_var(string modulePath)
    {
        var main = DeploymentTemplates.Main;
        var module = WorkerModule(modulePath);
        var worker = DeploymentTemplates.Target(main, module);

        var queueParameter = ScaleRuleQueueParameter(worker);

        // main passes hub.gpuActivityQueue, not a copy of the name.
        var binding = Assert.IsType<MemberExpression>(module.Params[queueParameter]);
        Assert.Equal("gpuActivityQueue", binding.Name);
        Assert.Equal("hub", Assert.IsType<IdentifierExpression>(binding.Target).Name);

        var evaluator = new BicepEvaluator(main);
        var hubName = (string)evaluator.Parameter("taskHubName")!;
        Assert.Equal($"{hubName}-activities-gpu", evaluator.Evaluate(binding));
    }

    [Fact]
    public void Renaming_the_hub_renames_every_hub_queue_and_the_scale_rule_follows()
    {
        var main = DeploymentTemplates.Main;
        var evaluator = new BicepEvaluator(main, new Dictionary<string, object?> { ["taskHubName"] = "renamedhub", ["partitionCount"] = 2L });

        var storageQueues = QueuesCreated(main, evaluator);
        var scaled = evaluator.Evaluate(WorkerModule("modules/gpuWorkerApp.bicep").Params[ScaleRuleQueueParameter(DeploymentTemplates.Get("modules/gpuWorkerApp.bicep"))]!);

        Assert.Equal("renamedhub-activities-gpu", scaled);
        Assert.Equal(
            ["renamedhub-control-00", "renamedhub-control-01", "renamedhub-activities-default", "renamedhub-activities-gpu", "manuscript-uploads"],
            storageQueues);
    }

    [Theory]
    [InlineData("main.dev.parameters.json")]
    [InlineData("main.prod.parameters.json")]
    public void Storage_creates_the_queue_the_scale_rule_watches_and_all_control_queues(string parametersFile)
    {
        var main = DeploymentTemplates.Main;
        var values = DeploymentTemplates.ReadParameterFile(Path.Combine(DeploymentTemplates.Folder, parametersFile));
        var evaluator = new BicepEvaluator(main, values);
        var hubName = (string)evaluator.Parameter("taskHubName")!;
        var partitions = (long)evaluator.Parameter("partitionCount")!;

        var queues = QueuesCreated(main, evaluator);

        Assert.Contains($"{hubName}-activities-gpu", queues);
        Assert.Contains($"{hubName}-activities-default", queues);
        for (var p = 0; p < partitions; p++)
        {
            Assert.Contains($"{hubName}-control-{p:00}", queues);
        }

        // The storage client's own name rules (Azure's): every pre-created queue and container is valid.
        Assert.All(queues, StorageNames.ValidateQueue);
        var appStorage = (Dictionary<string, object?>)evaluator.Variable("appStorage")!;
        Assert.All(((List<object?>)appStorage["containers"]!).Cast<string>(), StorageNames.ValidateContainer);
    }

    [Fact]
    public void The_longest_hub_name_the_template_allows_still_gives_valid_queue_names()
    {
        var main = DeploymentTemplates.Main;
        var hubParameter = main.Parameter("taskHubName");
        var maxLength = (int)Assert.IsType<IntegerExpression>(hubParameter.Decorator("maxLength")!.Arguments.Single()).Value;
        var maxPartitions = Assert.IsType<IntegerExpression>(main.Parameter("partitionCount").Decorator("maxValue")!.Arguments.Single()).Value;
        var evaluator = new BicepEvaluator(main, new Dictionary<string, object?>
        {
            ["taskHubName"] = new string('h', maxLength),
            ["partitionCount"] = maxPartitions,
        });

        var queues = QueuesCreated(main, evaluator);

        Assert.Equal(maxPartitions + 3, queues.Count);
        Assert.All(queues, StorageNames.ValidateQueue);
    }

    [Fact]
    public void Worker_app_scales_from_zero_on_one_message_per_replica_with_its_identity()
    {
        var worker = DeploymentTemplates.Get("modules/gpuWorkerApp.bicep");
        var app = worker.Resources.Single(r => r.Type == "Microsoft.App/containerApps");
        var scale = Assert.IsType<ObjectExpression>(BicepFile.Navigate(app.Body, "properties", "template", "scale"));
        var rule = Assert.IsType<ObjectExpression>(Assert.Single(Assert.IsType<ArrayExpression>(scale["rules"]).Items));
        var queue = Assert.IsType<ObjectExpression>(rule["azureQueue"]);

        Assert.Equal(0L, Assert.IsType<IntegerExpression>(scale["minReplicas"]).Value);
        Assert.Equal("identityId", Assert.IsType<IdentifierExpression>(queue["identity"]).Name);
        Assert.Null(queue["auth"]);
        Assert.Equal("storageAccountName", Assert.IsType<IdentifierExpression>(queue["accountName"]).Name);

        // queueLength is 1 as deployed (main's default and both parameter files).
        var main = DeploymentTemplates.Main;
        Assert.Equal("queueLength", Assert.IsType<IdentifierExpression>(queue["queueLength"]).Name);
        Assert.Equal(1L, new BicepEvaluator(main).Evaluate(WorkerModule("modules/gpuWorkerApp.bicep").Params["queueLength"]!));
    }

    [Fact]
    public void Job_variant_is_event_triggered_and_run_to_completion()
    {
        var job = DeploymentTemplates.Get("modules/gpuWorkerJob.bicep").Resources.Single(r => r.Type == "Microsoft.App/jobs");
        var configuration = Assert.IsType<ObjectExpression>(BicepFile.Navigate(job.Body, "properties", "configuration"));

        Assert.Equal("Event", Assert.IsType<StringExpression>(configuration["triggerType"]).LiteralValue);
        Assert.NotNull(configuration["replicaTimeout"]);
        var rule = Assert.IsType<ObjectExpression>(Assert.Single(Assert.IsType<ArrayExpression>(BicepFile.Navigate(configuration, "eventTriggerConfig", "scale", "rules")).Items));
        Assert.Equal("azure-queue", Assert.IsType<StringExpression>(rule["type"]).LiteralValue);
        Assert.Equal("identityId", Assert.IsType<IdentifierExpression>(rule["identity"]).Name);

        // Exactly one of the two worker variants deploys.
        var main = DeploymentTemplates.Main;
        var app = WorkerModule("modules/gpuWorkerApp.bicep");
        var jobModule = WorkerModule("modules/gpuWorkerJob.bicep");
        foreach (var useJobs in new[] { true, false })
        {
            var evaluator = new BicepEvaluator(main, new Dictionary<string, object?> { ["useJobsForGpuWorkers"] = useJobs });
            Assert.Equal(!useJobs, evaluator.Evaluate(Assert.IsType<IfExpression>(app.Value).Condition));
            Assert.Equal(useJobs, evaluator.Evaluate(Assert.IsType<IfExpression>(jobModule.Value).Condition));
        }
    }

    private static ModuleDeclaration WorkerModule(string path) =>
        DeploymentTemplates.Main.Modules.Single(m => m.Path == path);

    /// <summary>The worker module param that its queue scale rule reads the queue name from.</summary>
    private static string ScaleRuleQueueParameter(BicepFile worker)
    {
        var queueNames = worker.RootExpressions.SelectMany(BicepFile.Descendants).OfType<ObjectExpression>()
            .Select(o => o["azureQueue"] is ObjectExpression q ? q["queueName"]
                : o["type"] is StringExpression { LiteralValue: "azure-queue" } && o["metadata"] is ObjectExpression m ? m["queueName"]
                : null)
            .OfType<BicepExpression>()
            .ToList();
        var reference = Assert.IsType<IdentifierExpression>(Assert.Single(queueNames));
        Assert.Contains(worker.Parameters, p => p.Name == reference.Name);
        return reference.Name;
    }

    private static List<string> QueuesCreated(BicepFile main, BicepEvaluator evaluator)
    {
        var storage = main.Modules.Single(m => m.Path == "modules/storage.bicep");
        var storageFile = DeploymentTemplates.Target(main, storage);
        var queueResource = storageFile.Resources.Single(r => r.Type == "Microsoft.Storage/storageAccounts/queueServices/queues");
        var loop = Assert.IsType<ForExpression>(queueResource.Value);
        var source = Assert.IsType<IdentifierExpression>(loop.Source);
        return ((List<object?>)evaluator.Evaluate(storage.Params[source.Name]!)!).Cast<string>().ToList();
    }
}
