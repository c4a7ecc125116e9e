using System.Collections.Concurrent;
using MiniGpt5.Tensors.Cpu;

namespace MiniGpt5.Tensors.Dispatch;

/// <summary>
/// Which backend runs ops for each device. The CPU backend is built in; a GPU backend registers a factory for its
/// device kind. <see cref="Use"/> swaps the backend of one device for the current thread or async flow, e.g. to run a
/// model on <see cref="Cpu.Reference.CpuReferenceBackend"/> and diff it against the fast kernels.
/// </summary>
public static class Backends
{
    private static readonly ConcurrentDictionary<DeviceKind, Func<int, IBackend>> Factories = new();
    private static readonly ConcurrentDictionary<Device, IBackend> Created = new();
    private static readonly AsyncLocal<IBackend?> Override = new();
    private static int _overrideCount;

    /// <summary>Registers the backend factory for a device kind (called once by a GPU backend's initialiser).</summary>
    public static void Register(DeviceKind kind, Func<int, IBackend> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (kind == DeviceKind.Cpu)
        {
            throw new ArgumentException("The CPU backend is built in; use Backends.Use to swap it for a scope.", nameof(kind));
        }

        Factories[kind] = factory;
    }

    /// <summary>The backend that runs ops on <paramref name="device"/>.</summary>
    /// <exception cref="TensorDeviceException">No backend is registered for the device kind.</exception>
    public static IBackend For(Device device)
    {
        if (Volatile.Read(ref _overrideCount) != 0 && Override.Value is { } chosen && chosen.Device == device)
        {
            return chosen;
        }

        if (device.Kind == DeviceKind.Cpu)
        {
            return CpuBackend.Instance;
        }

        return Created.GetOrAdd(device, static d =>
            Factories.TryGetValue(d.Kind, out var factory)
                ? factory(d.Index)
                : throw new TensorDeviceException($"No backend is registered for device {d}. Is the CUDA backend loaded?"));
    }

    /// <summary>Runs ops on <paramref name="backend"/>'s device with <paramref name="backend"/> until the handle is
    /// disposed (current thread or async flow only).</summary>
    public static IDisposable Use(IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var previous = Override.Value;
        Override.Value = backend;
        Interlocked.Increment(ref _overrideCount);
        return new Restore(previous);
    }

    private sealed class Restore(IBackend? previous) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                Override.Value = previous;
                Interlocked.Decrement(ref _overrideCount);
            }
        }
    }
}
