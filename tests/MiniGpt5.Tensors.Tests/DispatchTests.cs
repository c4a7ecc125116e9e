using System.Runtime.InteropServices;
using MiniGpt5.Tensors.Cpu.Reference;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Tests;

public sealed class DispatchTests
{
    [Fact]
    public void Recorder_sees_every_op_on_tensors_that_require_grad()
    {
        using var scope = TensorScope.Enter();
        var recorder = new ListRecorder();
        var x = Tensor.Ones([2, 3]);
        x.RequiresGrad = true;
        var w = Tensor.Ones([4, 3]);
        var constant = Tensor.Ones([4]);
        using (OpRecorder.Install(recorder))
        {
            var y = Ops.Linear(x, w);
            var z = y.Reshape(8).Transpose(0, 0);
            _ = Ops.Sum(z);
            _ = Ops.Exp(constant); // no input requires grad: not recorded
            using (GradMode.NoGrad())
            {
                _ = Ops.Relu(y); // recording is off
            }

            Assert.True(GradMode.IsEnabled);
        }

        _ = Ops.Relu(x); // recorder uninstalled

        Assert.Equal([OpKind.Linear, OpKind.Reshape, OpKind.Permute, OpKind.Sum], recorder.Calls.Select(c => c.Kind));
        var linear = recorder.Calls[0];
        Assert.Same(x, linear.Inputs[0]);
        Assert.Same(w, linear.Inputs[1]);
        Assert.Equal([8], ((ShapeAttributes)recorder.Calls[1].Attributes).Shape);
        Assert.Equal([0], ((ReduceAttributes)recorder.Calls[3].Attributes).Dims);
        Assert.All(recorder.Calls, c => Assert.True(c.Outputs[0].RequiresGrad));
        Assert.IsType<string>(recorder.Calls[3].Outputs[0].GradNode);
    }

    [Fact]
    public void In_place_ops_report_the_mutated_tensor_as_output()
    {
        using var scope = TensorScope.Enter();
        var recorder = new ListRecorder();
        var x = Tensor.Ones([3]);
        var bias = Tensor.Ones([3]);
        bias.RequiresGrad = true;
        using (OpRecorder.Install(recorder))
        {
            Ops.AddInPlace(x, bias);
        }

        var call = Assert.Single(recorder.Calls);
        Assert.Equal(OpKind.Add, call.Kind);
        Assert.Same(x, call.Outputs[0]);
        Assert.Same(x, call.Inputs[0]);
    }

    [Fact]
    public void Ops_on_different_devices_fail_naming_both()
    {
        FakeDevice.EnsureRegistered();
        using var scope = TensorScope.Enter();
        var host = Tensor.FromArray<float>([1, 2, 3], [3]);
        var device = host.To(FakeDevice.Device);
        Assert.Equal(FakeDevice.Device, device.Device);
        var error = Assert.Throws<TensorDeviceException>(() => Ops.Add(host, device));
        Assert.Contains("cpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("cuda:7", error.Message, StringComparison.Ordinal);

        // Same-device ops run on the device's backend; values come back intact.
        var doubled = Ops.Mul(device, 2.0);
        Assert.Equal(FakeDevice.Device, doubled.Device);
        Assert.Equal(new float[] { 2, 4, 6 }, doubled.To(Device.Cpu).ToArray<float>());
        Assert.Equal(new float[] { 2, 4, 6 }, doubled.ToArray<float>());
        Assert.Throws<TensorDeviceException>(() => device.AsSpan<float>());
        Assert.Throws<TensorDeviceException>(() => Tensor.Zeros([2], device: Device.Cuda(3)));
    }

    [Fact]
    public void Backend_override_applies_to_the_current_flow_only()
    {
        Assert.Same(Cpu.CpuBackend.Instance, Backends.For(Device.Cpu));
        using (Backends.Use(CpuReferenceBackend.Instance))
        {
            Assert.Same(CpuReferenceBackend.Instance, Backends.For(Device.Cpu));
        }

        Assert.Same(Cpu.CpuBackend.Instance, Backends.For(Device.Cpu));
    }

    [Fact]
    public void Decode_step_with_preallocated_outputs_allocates_no_storage()
    {
        // A LLaMA-style decode step written with out-variants: every result lands in a buffer allocated up front.
        using var scope = TensorScope.Enter();
        var generator = new Generator(2);
        const int Width = 32, Heads = 4, HeadDim = 8, MaxLength = 16;
        var wq = Tensor.Randn([Width, Width], generator, DType.BFloat16);
        var norm = Tensor.Ones([Width]);
        var hidden = Tensor.Randn([1, 1, Width], generator);
        var normed = Tensor.Empty([1, 1, Width]);
        var query = Tensor.Empty([1, 1, Width]);
        var rotated = Tensor.Empty([1, Heads, 1, HeadDim]);
        var cache = Tensor.Randn([1, Heads, MaxLength, HeadDim], generator);
        var attention = Tensor.Empty([1, Heads, 1, HeadDim]);
        var position = Tensor.FromArray<long>([5], [1]);
        for (var step = 0; step < 3; step++)
        {
            using var stepScope = TensorScope.Enter();
            var allocations = NativeStorage.AllocationsOnThisThread;
            Assert.Same(normed, Ops.RmsNorm(hidden, norm, 1e-6, normed));
            Assert.Same(query, Ops.Linear(normed, wq, output: query));
            Assert.Same(rotated, Ops.Rope(query.View(1, 1, Heads, HeadDim).Transpose(1, 2), position, output: rotated));
            Ops.CopyInto(cache.Narrow(2, 5, 1), rotated);
            var keys = cache.Narrow(2, 0, 6);
            Assert.Same(attention, Ops.ScaledDotProductAttention(rotated, keys, keys, output: attention));
            Ops.AddInPlace(hidden, attention.Transpose(1, 2).View(1, 1, Width));
            Assert.Equal(allocations, NativeStorage.AllocationsOnThisThread);
        }
    }

    [Fact]
    public void Read_only_storage_refuses_writes()
    {
        using var scope = TensorScope.Enter();
        var storage = new ReadOnlyStorage(16);
        var weight = Tensor.FromStorage(storage, DType.Float32, [4]);
        storage.Release();
        Assert.Equal(new float[] { 0, 0, 0, 0 }, Ops.Add(weight, 1.0).ToArray<float>().Select(v => v - 1).ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => Ops.AddInPlace(weight, 1.0));
        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => Ops.CopyInto(weight, Tensor.Ones([4])));
        Assert.Throws<InvalidOperationException>(() => Ops.Exp(Tensor.Ones([4]), weight));
    }

    private sealed record Call(OpKind Kind, Tensor[] Inputs, Tensor[] Outputs, OpAttributes Attributes);

    private sealed class ListRecorder : IOpRecorder
    {
        public List<Call> Calls { get; } = [];

        public void Record(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes)
        {
            Calls.Add(new Call(kind, inputs.ToArray(), outputs.ToArray(), attributes));
            foreach (var output in outputs)
            {
                output.RequiresGrad = true;
                output.GradNode = kind.ToString();
            }
        }
    }

    /// <summary>A pretend GPU (cuda:7) whose memory is host memory and whose kernels are the reference ones: enough
    /// to exercise device placement, transfers and the mixed-device check without a GPU.</summary>
    private sealed class FakeDevice : IBackend
    {
        public static readonly Device Device = Device.Cuda(7);
        private static readonly Lock Gate = new();
        private static bool _registered;

        public string Name => "fake-cuda";

        Device IBackend.Device => Device;

        public static void EnsureRegistered()
        {
            lock (Gate)
            {
                if (!_registered)
                {
                    var backend = new FakeDevice();
                    Backends.Register(DeviceKind.Cuda, index => index == 7 ? backend : throw new TensorDeviceException($"cuda:{index} does not exist in this test."));
                    _registered = true;
                }
            }
        }

        public TensorStorage Allocate(long byteLength, bool zeroed) => new FakeStorage(byteLength);

        public bool Supports(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) => true;

        public void Execute(OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes) =>
            CpuReferenceBackend.Instance.Execute(kind, inputs, outputs, attributes);

        public unsafe void CopyFromHost(ReadOnlySpan<byte> source, TensorStorage destination, long destinationByteOffset) =>
            source.CopyTo(new Span<byte>((byte*)destination.Pointer + destinationByteOffset, source.Length));

        public unsafe void CopyToHost(TensorStorage source, long sourceByteOffset, Span<byte> destination) =>
            new ReadOnlySpan<byte>((byte*)source.Pointer + sourceByteOffset, destination.Length).CopyTo(destination);
    }

    private sealed unsafe class ReadOnlyStorage(long byteLength) : TensorStorage
    {
        private void* _memory = NativeMemory.AllocZeroed((nuint)byteLength);

        public override nint Pointer => (nint)_memory;

        public override long ByteLength => byteLength;

        public override bool IsWritable => false;

        protected override void Free()
        {
            NativeMemory.Free(_memory);
            _memory = null;
        }
    }

    private sealed unsafe class FakeStorage(long byteLength) : TensorStorage
    {
        private void* _memory = NativeMemory.AllocZeroed((nuint)Math.Max(byteLength, 1));

        public override nint Pointer => (nint)_memory;

        public override long ByteLength => byteLength;

        public override Device Device => FakeDevice.Device;

        protected override void Free()
        {
            NativeMemory.Free(_memory);
            _memory = null;
        }
    }
}
