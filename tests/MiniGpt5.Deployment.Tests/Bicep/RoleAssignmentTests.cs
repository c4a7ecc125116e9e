namespace MiniGpt5.Deployment.Tests.Bicep;

public sealed class RoleAssignmentTests
{
    [Fact]
    public void Every_role_assignment_uses_a_built_in_role_under_its_own_name()
    {
        var assignments = 0;
        foreach (var file in DeploymentTemplates.All)
        {
            var evaluator = new BicepEvaluator(file);
            foreach (var assignment in file.Resources.Where(r => r.Type == "Microsoft.Authorization/roleAssignments"))
            {
                assignments++;
                var where = $"{Path.GetFileName(file.Path)}:{assignment.Line} ({assignment.Name})";
                var properties = Assert.IsType<ObjectExpression>(assignment.Body["properties"]);
                var definition = Assert.IsType<CallExpression>(properties["roleDefinitionId"]);
                Assert.Equal("subscriptionResourceId", definition.Name);
                Assert.Equal("Microsoft.Authorization/roleDefinitions", Assert.IsType<StringExpression>(definition.Arguments[0]).LiteralValue);

                var roleId = Assert.IsType<string>(evaluator.Evaluate(definition.Arguments[1]));
                Assert.True(AzureReference.BuiltInRoles.TryGetValue(roleId, out var roleName), $"{where}: {roleId} is not a known built-in role id");

                // A role id reached through a named entry must sit under that role's name (catches swapped ids).
                if (definition.Arguments[1] is MemberExpression named)
                {
                    Assert.True(AzureReference.CamelCase(roleName!) == named.Name, $"{where}: '{named.Name}' holds the id of '{roleName}'");
                }

                Assert.Equal("ServicePrincipal", Assert.IsType<StringExpression>(properties["principalType"]).LiteralValue);
                Assert.Equal("guid", Assert.IsType<CallExpression>(assignment.Body["name"]).Name);
            }
        }

        Assert.True(assignments > 0);
    }

    [Fact]
    public void The_app_identity_gets_blob_and_queue_data_roles_on_the_account_and_acr_pull_on_the_registry()
    {
        var identity = DeploymentTemplates.Get("modules/identity.bicep");
        var evaluator = new BicepEvaluator(identity);
        var granted = identity.Resources
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .Select(r =>
            {
                var scope = Assert.IsType<IdentifierExpression>(r.Body["scope"]).Name;
                var scopeType = identity.Resources.Single(s => s.Name == scope).Type;
                var roleId = (string)evaluator.Evaluate(((CallExpression)((ObjectExpression)r.Body["properties"]!)["roleDefinitionId"]!).Arguments[1])!;
                return $"{AzureReference.BuiltInRoles[roleId]} on {scopeType}";
            })
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(
            [
                "AcrPull on Microsoft.ContainerRegistry/registries",
                "Storage Blob Data Contributor on Microsoft.Storage/storageAccounts",
                "Storage Queue Data Contributor on Microsoft.Storage/storageAccounts",
            ],
            granted);
    }

    [Fact]
    public void The_role_id_table_itself_matches_the_built_in_roles()
    {
        var table = (Dictionary<string, object?>)new BicepEvaluator(DeploymentTemplates.Get("modules/identity.bicep")).Variable("roleDefinitionIds")!;

        foreach (var (name, id) in table)
        {
            Assert.True(AzureReference.BuiltInRoles.TryGetValue((string)id!, out var role), $"roleDefinitionIds.{name} = {id} is not a built-in role id");
            Assert.Equal(AzureReference.CamelCase(role!), name);
        }
    }
}
