using System.Globalization;
using MiniGpt5.Functions.Settings;

namespace MiniGpt5.Functions.Http;

/// <summary>
/// Where <c>minigpt5 serve</c> listens, in order: <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> (then only
/// <c>http://127.0.0.1:{port}</c>, as the Functions host requires), <c>--urls</c>, the ASP.NET Core environment
/// variables (<c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>: the API image sets the latter to 8080), and
/// finally <see cref="ApiHostOptions.DefaultUrl"/>.
/// </summary>
public static class ApiListenAddresses
{
    /// <summary>The Functions host's port variable.</summary>
    public const string FunctionsPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>
    /// The URLs to bind, or null to let ASP.NET Core read its own variables. <paramref name="environment"/> looks
    /// variables up (the process environment in production). Throws <see cref="SettingsException"/> for a bad port.
    /// </summary>
    public static IReadOnlyList<string>? Resolve(IReadOnlyList<string>? urls, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(FunctionsPortVariable) is { Length: > 0 } port)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                throw new SettingsException($"{FunctionsPortVariable} is '{port}'; it must be a TCP port number (1-65535).");
            }

            return [$"http://127.0.0.1:{number}"];
        }

        if (urls is { Count: > 0 })
        {
            return urls;
        }

        if (environment("ASPNETCORE_URLS") is { Length: > 0 } || environment("ASPNETCORE_HTTP_PORTS") is { Length: > 0 } || environment("ASPNETCORE_HTTPS_PORTS") is { Length: > 0 })
        {
            return null;
        }

        return [ApiHostOptions.DefaultUrl];
    }

    /// <summary>True when the app runs as an Azure Functions custom handler.</summary>
    public static bool IsFunctionsCustomHandler(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(FunctionsPortVariable) is { Length: > 0 };
    }
}
