using MiniGpt5.Tensors.Cuda.Memory;
using MiniGpt5.Tensors.Cuda.Native;

namespace MiniGpt5.Tensors.Cuda.Gemm;

/// <summary>
/// Runs <see cref="ColumnMajorGemm"/>s with cuBLASLt: f32, or f16/bf16 operands with f32 accumulation on tensor
/// cores, an optional bias fused as the epilogue. The descriptors and the heuristic's algorithm are built once per
/// distinct problem and reused (decode runs the same few shapes every token).
/// </summary>
internal sealed unsafe class CublasLtGemm : IDisposable
{
    /// <summary>Workspace handed to cuBLASLt (NVIDIA recommends 32 MiB on Hopper).</summary>
    public const long WorkspaceBytes = 32L << 20;

    private readonly CublasLtApi _api;
    private readonly CudaDevice _device;
    private readonly CachingDeviceAllocator _pool;
    private readonly DeviceBlock _workspace;
    private readonly nint _handle;
    private readonly Dictionary<PlanKey, Plan> _plans = [];
    private readonly Lock _gate = new();

    public CublasLtGemm(CudaDevice device, CachingDeviceAllocator pool)
    {
        _api = CublasLtApi.Instance;
        _device = device;
        _pool = pool;
        device.MakeCurrent();
        nint handle;
        CublasLtApi.Check(_api.CublasLtCreate(&handle), "cublasLtCreate");
        _handle = handle;
        _workspace = pool.Rent(WorkspaceBytes, device.Stream);
    }

    /// <summary>D = op(A)·op(B) (+ bias per row of D) on the device's stream.</summary>
    /// <param name="gemm">The problem.</param>
    /// <param name="abType">The cudaDataType of A and B.</param>
    /// <param name="dType">The cudaDataType of D.</param>
    /// <param name="a">Device address of A.</param>
    /// <param name="b">Device address of B.</param>
    /// <param name="d">Device address of D.</param>
    /// <param name="bias">Device address of a bias of M elements in <paramref name="dType"/>, or 0.</param>
    public void Run(in ColumnMajorGemm gemm, int abType, int dType, ulong a, ulong b, ulong d, ulong bias)
    {
        // The heuristic assumes 256-byte-aligned operands unless told otherwise; views at an offset are less aligned.
        var key = new PlanKey(gemm, abType, dType, bias != 0, Alignment(a), Alignment(b), Alignment(d));

        // One lock for the plan table, the descriptor's bias pointer and the shared workspace: all are per backend.
        lock (_gate)
        {
            if (!_plans.TryGetValue(key, out var plan))
            {
                plan = CreatePlan(key);
                _plans.Add(key, plan);
            }

            if (bias != 0)
            {
                CublasLtApi.Check(_api.CublasLtMatmulDescSetAttribute(plan.Descriptor, CublasLtApi.DescBiasPointer, &bias, (nuint)sizeof(ulong)), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
            }

            var alpha = 1.0f;
            var beta = 0.0f;
            var algo = plan.Algo;
            CublasLtApi.Check(_api.CublasLtMatmul(
                _handle, plan.Descriptor, &alpha, a, plan.ALayout, b, plan.BLayout, &beta, d, plan.DLayout, d, plan.DLayout,
                &algo, _workspace.Address, (nuint)WorkspaceBytes, _device.Stream), "cublasLtMatmul");
        }
    }

    public void Dispose()
    {
        foreach (var plan in _plans.Values)
        {
            _ = _api.CublasLtMatrixLayoutDestroy(plan.ALayout);
            _ = _api.CublasLtMatrixLayoutDestroy(plan.BLayout);
            _ = _api.CublasLtMatrixLayoutDestroy(plan.DLayout);
            _ = _api.CublasLtMatmulDescDestroy(plan.Descriptor);
        }

        _plans.Clear();
        _ = _api.CublasLtDestroy(_handle);
        _pool.Return(_workspace, _device.Stream);
    }

    private Plan CreatePlan(PlanKey key)
    {
        var g = key.Gemm;
        nint descriptor;
        CublasLtApi.Check(_api.CublasLtMatmulDescCreate(&descriptor, CublasLtApi.Compute32F, CublasLtApi.DataTypeF32), "cublasLtMatmulDescCreate");
        var transA = g.TransA ? CublasLtApi.OpT : CublasLtApi.OpN;
        var transB = g.TransB ? CublasLtApi.OpT : CublasLtApi.OpN;
        CublasLtApi.Check(_api.CublasLtMatmulDescSetAttribute(descriptor, CublasLtApi.DescTransA, &transA, sizeof(int)), "cublasLtMatmulDescSetAttribute(TRANSA)");
        CublasLtApi.Check(_api.CublasLtMatmulDescSetAttribute(descriptor, CublasLtApi.DescTransB, &transB, sizeof(int)), "cublasLtMatmulDescSetAttribute(TRANSB)");
        if (key.HasBias)
        {
            var epilogue = CublasLtApi.EpilogueBias;
            var biasType = key.DType;
            CublasLtApi.Check(_api.CublasLtMatmulDescSetAttribute(descriptor, CublasLtApi.DescEpilogue, &epilogue, sizeof(int)), "cublasLtMatmulDescSetAttribute(EPILOGUE)");
            CublasLtApi.Check(_api.CublasLtMatmulDescSetAttribute(descriptor, CublasLtApi.DescBiasDataType, &biasType, sizeof(int)), "cublasLtMatmulDescSetAttribute(BIAS_DATA_TYPE)");
        }

        var aLayout = Layout(key.AbType, g.ARows, g.ACols, g.Lda, g.Batch, g.StrideA);
        var bLayout = Layout(key.AbType, g.BRows, g.BCols, g.Ldb, g.Batch, g.StrideB);
        var dLayout = Layout(key.DType, g.M, g.N, g.Ldd, g.Batch, g.StrideD);

        nint preference;
        CublasLtApi.Check(_api.CublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
        try
        {
            var workspace = (ulong)WorkspaceBytes;
            CublasLtApi.Check(_api.CublasLtMatmulPreferenceSetAttribute(preference, CublasLtApi.PreferenceMaxWorkspaceBytes, &workspace, sizeof(ulong)), "cublasLtMatmulPreferenceSetAttribute");
            uint alignA = key.AlignA, alignB = key.AlignB, alignD = key.AlignD;
            CublasLtApi.Check(_api.CublasLtMatmulPreferenceSetAttribute(preference, CublasLtApi.PreferenceMinAlignmentA, &alignA, sizeof(uint)), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT_A)");
            CublasLtApi.Check(_api.CublasLtMatmulPreferenceSetAttribute(preference, CublasLtApi.PreferenceMinAlignmentB, &alignB, sizeof(uint)), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT_B)");
            CublasLtApi.Check(_api.CublasLtMatmulPreferenceSetAttribute(preference, CublasLtApi.PreferenceMinAlignmentC, &alignD, sizeof(uint)), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT_C)");
            CublasLtApi.Check(_api.CublasLtMatmulPreferenceSetAttribute(preference, CublasLtApi.PreferenceMinAlignmentD, &alignD, sizeof(uint)), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT_D)");
            CublasLtApi.MatmulHeuristicResult result;
            int returned;
            CublasLtApi.Check(_api.CublasLtMatmulAlgoGetHeuristic(_handle, descriptor, aLayout, bLayout, dLayout, dLayout, preference, 1, &result, &returned), "cublasLtMatmulAlgoGetHeuristic");
            if (returned == 0)
            {
                throw new CudaException($"cuBLASLt has no algorithm for {g} with A/B type {key.AbType} and D type {key.DType}.") { Function = "cublasLtMatmulAlgoGetHeuristic" };
            }

            return new Plan(descriptor, aLayout, bLayout, dLayout, result.Algo);
        }
        finally
        {
            _ = _api.CublasLtMatmulPreferenceDestroy(preference);
        }
    }

    private nint Layout(int type, long rows, long cols, long ld, int batch, long stride)
    {
        nint layout;
        CublasLtApi.Check(_api.CublasLtMatrixLayoutCreate(&layout, type, (ulong)rows, (ulong)cols, ld), "cublasLtMatrixLayoutCreate");
        if (batch > 1)
        {
            CublasLtApi.Check(_api.CublasLtMatrixLayoutSetAttribute(layout, CublasLtApi.LayoutBatchCount, &batch, sizeof(int)), "cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)");
            CublasLtApi.Check(_api.CublasLtMatrixLayoutSetAttribute(layout, CublasLtApi.LayoutStridedBatchOffset, &stride, sizeof(long)), "cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)");
        }

        return layout;
    }

    /// <summary>The largest power of two up to 256 dividing <paramref name="address"/>.</summary>
    internal static uint Alignment(ulong address) => address == 0 ? 256u : (uint)Math.Min(256UL, address & (~address + 1));

    private readonly record struct PlanKey(ColumnMajorGemm Gemm, int AbType, int DType, bool HasBias, uint AlignA, uint AlignB, uint AlignD);

    private sealed record Plan(nint Descriptor, nint ALayout, nint BLayout, nint DLayout, CublasLtApi.MatmulAlgo Algo);
}
