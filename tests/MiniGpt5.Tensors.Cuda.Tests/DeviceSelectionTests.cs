namespace MiniGpt5.Tensors.Cuda.Tests;

public sealed class DeviceSelectionTests
{
    [Theory]
    [InlineData("cpu", DeviceRequestKind.Cpu, 0)]
    [InlineData(" CPU ", DeviceRequestKind.Cpu, 0)]
    [InlineData("cuda", DeviceRequestKind.Cuda, 0)]
    [InlineData("gpu", DeviceRequestKind.Cuda, 0)]
    [InlineData("cuda:3", DeviceRequestKind.Cuda, 3)]
    [InlineData("auto", DeviceRequestKind.Auto, 0)]
    public void Parse_accepts_the_documented_forms(string text, DeviceRequestKind kind, int ordinal) =>
        Assert.Equal(new DeviceRequest(kind, ordinal), DeviceSelection.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("metal")]
    public void Parse_rejects_anything_else_naming_the_value_and_the_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => DeviceSelection.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(DeviceSelection.Forms, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_resolves_to_the_device_when_it_opens()
    {
        Assert.Equal(Device.Cuda(2), DeviceSelection.Resolve(new DeviceRequest(DeviceRequestKind.Cuda, 2), _ => null));
        Assert.Equal(Device.Cuda(0), DeviceSelection.Resolve(new DeviceRequest(DeviceRequestKind.Auto, 0), _ => null));
    }

    [Fact]
    public void Cuda_that_cannot_open_is_an_error_with_the_reason_while_auto_falls_back_to_the_cpu()
    {
        static string? Fail(int ordinal) => $"reason for {ordinal}";

        var error = Assert.Throws<CudaUnavailableException>(() => DeviceSelection.Resolve(new DeviceRequest(DeviceRequestKind.Cuda, 1), Fail));
        Assert.Contains("cuda:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("reason for 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("--device cpu", error.Message, StringComparison.Ordinal);
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(new DeviceRequest(DeviceRequestKind.Auto, 0), Fail));
        Assert.Equal(Device.Cpu, DeviceSelection.Resolve(new DeviceRequest(DeviceRequestKind.Cpu, 0), _ => throw new InvalidOperationException("CPU must not touch CUDA")));
    }

    [Fact]
    public void On_a_machine_without_CUDA_the_real_resolution_says_what_is_missing()
    {
        if (MiniGpt5.Testing.GpuAvailability.HasCudaDriver)
        {
            return; // Covered by the GPU tests there.
        }

        Assert.False(DeviceSelection.TryResolve("cuda", out var device, out var error));
        Assert.Equal(Device.Cpu, device);
        Assert.Contains("libcuda.so.1", error, StringComparison.Ordinal);
        Assert.Contains("--device cpu", error, StringComparison.Ordinal);
        Assert.Null(CudaDevice.TryOpen(0, out var reason));
        Assert.Contains("NVIDIA driver", reason, StringComparison.Ordinal);
        Assert.True(DeviceSelection.TryResolve("auto", out device, out _));
        Assert.Equal(Device.Cpu, device);
    }
}
