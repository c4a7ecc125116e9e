namespace MiniGpt5.Tensors;

/// <summary>Where a tensor's bytes live. Index is the GPU ordinal for CUDA and 0 for the CPU.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    /// <summary>Host memory.</summary>
    public static readonly Device Cpu = new(DeviceKind.Cpu);

    /// <summary>The CUDA device with the given ordinal.</summary>
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    /// <summary>"cpu" or "cuda:N", as PyTorch writes it.</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"cuda:{Index}";
}

/// <summary>Kinds of device a backend can drive.</summary>
public enum DeviceKind : byte
{
    Cpu,
    Cuda,
}
