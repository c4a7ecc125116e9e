using System.Globalization;

namespace MiniGpt5.Tensors.Cuda;

/// <summary>
/// Parses and resolves the <c>--device</c> option of the CLI and the app: <c>cpu</c>, <c>cuda</c> (= <c>cuda:0</c>),
/// <c>cuda:N</c>, or <c>auto</c> (CUDA when it opens, else the CPU). Resolving <c>cuda</c> opens the device and
/// registers the CUDA backend; when that is impossible the error says why and how to fix it.
/// </summary>
public static class DeviceSelection
{
    /// <summary>The accepted forms, for help text.</summary>
    public const string Forms = "cpu, cuda, cuda:N, auto";

    /// <summary>Parses a device option.</summary>
    /// <exception cref="FormatException">Not one of <see cref="Forms"/>.</exception>
    public static DeviceRequest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        switch (value)
        {
            case "cpu":
                return new DeviceRequest(DeviceRequestKind.Cpu, 0);
            case "cuda" or "gpu":
                return new DeviceRequest(DeviceRequestKind.Cuda, 0);
            case "auto":
                return new DeviceRequest(DeviceRequestKind.Auto, 0);
        }

        if (value.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            return new DeviceRequest(DeviceRequestKind.Cuda, ordinal);
        }

        throw new FormatException($"--device '{text}' is not a device; use one of: {Forms}.");
    }

    /// <summary>Resolves a device option to an engine <see cref="Device"/>, opening CUDA when asked.</summary>
    /// <exception cref="FormatException">The text is not a device.</exception>
    /// <exception cref="CudaUnavailableException">CUDA was asked for and cannot be used; the message says why.</exception>
    public static Device Resolve(string text) => Resolve(Parse(text), OpenCuda);

    /// <summary>Like <see cref="Resolve(string)"/> but returns the error text instead of throwing.</summary>
    public static bool TryResolve(string text, out Device device, out string? error)
    {
        try
        {
            device = Resolve(text);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
        }
        catch (CudaUnavailableException e)
        {
            error = e.Message;
        }

        device = Device.Cpu;
        return false;
    }

    /// <summary>The resolution logic with the CUDA opener injected (tests).</summary>
    internal static Device Resolve(DeviceRequest request, Func<int, string?> openCuda)
    {
        switch (request.Kind)
        {
            case DeviceRequestKind.Cpu:
                return Device.Cpu;
            case DeviceRequestKind.Auto:
                return openCuda(0) is null ? Device.Cuda(0) : Device.Cpu;
            default:
                var reason = openCuda(request.Ordinal);
                if (reason is not null)
                {
                    throw new CudaUnavailableException($"--device cuda:{request.Ordinal} was requested but CUDA cannot be used: {reason} (--device cpu runs on the CPU.)");
                }

                return Device.Cuda(request.Ordinal);
        }
    }

    private static string? OpenCuda(int ordinal) => CudaRuntime.TryInitialize(ordinal, out _, out var reason) ? null : reason;
}

/// <summary>A parsed <c>--device</c> option.</summary>
/// <param name="Kind">CPU, CUDA or automatic.</param>
/// <param name="Ordinal">The CUDA device ordinal (0 unless <c>cuda:N</c>).</param>
public sealed record DeviceRequest(DeviceRequestKind Kind, int Ordinal);

/// <summary>What a <c>--device</c> option asks for.</summary>
public enum DeviceRequestKind
{
    /// <summary>The CPU backend.</summary>
    Cpu,

    /// <summary>A CUDA device; failing to open it is an error.</summary>
    Cuda,

    /// <summary>CUDA device 0 when it opens, else the CPU.</summary>
    Auto,
}
