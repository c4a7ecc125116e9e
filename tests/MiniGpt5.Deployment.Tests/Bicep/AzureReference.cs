namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// Reference data the templates are checked against. API versions are ones listed as known-good in
/// WORKFLOW_NOTES.md §6.4 or published as GA in Azure/bicep-types-az (generated/*/types.md); role ids are
/// the built-in role definitions (the same in every tenant, learn.microsoft.com "Azure built-in roles").
/// </summary>
internal static class AzureReference
{
    /// <summary>Resource type → the API versions our templates may use.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KnownGoodApiVersions = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.Storage/storageAccounts"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/blobServices"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/blobServices/containers"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/queueServices"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/queueServices/queues"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/fileServices"] = ["2025-01-01"],
        ["Microsoft.Storage/storageAccounts/fileServices/shares"] = ["2025-01-01"],
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = ["2023-01-31"],
        ["Microsoft.Authorization/roleAssignments"] = ["2022-04-01"],
        ["Microsoft.ContainerRegistry/registries"] = ["2023-07-01"],
        ["Microsoft.OperationalInsights/workspaces"] = ["2023-09-01"],
        ["Microsoft.App/managedEnvironments"] = ["2025-07-01"],
        ["Microsoft.App/managedEnvironments/storages"] = ["2025-07-01"],
        ["Microsoft.App/containerApps"] = ["2025-07-01"],
        ["Microsoft.App/jobs"] = ["2025-07-01"],
    };

    /// <summary>Built-in role definition id → role name.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltInRoles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"] = "Storage Blob Data Reader",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["8a0f0c08-91a1-4084-bc3d-661d67233fed"] = "Storage Queue Data Message Processor",
        ["c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"] = "Storage Queue Data Message Sender",
        ["19e7f393-937e-4f77-808e-94535e297925"] = "Storage Queue Data Reader",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["7f951dda-4ed3-4680-a7ca-43fe172d538d"] = "AcrPull",
    };

    /// <summary>Bicep functions (and decorators) the templates may call.</summary>
    public static readonly IReadOnlySet<string> BicepFunctions = new HashSet<string>(StringComparer.Ordinal)
    {
        // Decorators
        "description", "secure", "minValue", "maxValue", "minLength", "maxLength", "allowed", "metadata", "batchSize", "export", "sealed",
        // Functions
        "concat", "range", "map", "filter", "padLeft", "string", "int", "bool", "json", "toLower", "toUpper", "length", "empty",
        "contains", "union", "format", "guid", "uniqueString", "take", "skip", "first", "last", "replace", "split", "join",
        "resourceGroup", "subscription", "tenant", "deployment", "environment", "subscriptionResourceId", "resourceId",
        "listKeys", "reference", "substring", "startsWith", "endsWith", "trim", "coalesce", "any", "items", "min", "max",
    };

    /// <summary>"Storage Blob Data Contributor" → "storageBlobDataContributor"; "AcrPull" → "acrPull".</summary>
    public static string CamelCase(string roleName)
    {
        var words = roleName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(words.Select((w, i) => i == 0 ? char.ToLowerInvariant(w[0]) + w[1..] : char.ToUpperInvariant(w[0]) + w[1..]));
    }
}
