namespace MiniGpt5.Deployment.Tests.Identity;

/// <summary>
/// Sets the environment a Container Apps replica sees (IDENTITY_ENDPOINT, IDENTITY_HEADER, optionally
/// AZURE_CLIENT_ID), clears every variable that would steer Azure.Identity to another managed identity
/// source, and restores all of them on dispose. Environment variables are process-wide, so tests using
/// this run in the non-parallel <see cref="ProcessEnvironmentCollection"/>.
/// </summary>
internal sealed class IdentityEnvironment : IDisposable
{
    private static readonly string[] Steering =
    [
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET",
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_TOKEN_CREDENTIALS", "AZURE_USERNAME", "AZURE_PASSWORD",
    ];

    private readonly Dictionary<string, string?> _saved = Steering.ToDictionary(n => n, Environment.GetEnvironmentVariable);

    public IdentityEnvironment(Uri endpoint, string header, IReadOnlyDictionary<string, string>? extra = null)
    {
        foreach (var name in Steering)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", endpoint.ToString());
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            if (!_saved.ContainsKey(name))
            {
                _saved[name] = Environment.GetEnvironmentVariable(name);
            }

            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
