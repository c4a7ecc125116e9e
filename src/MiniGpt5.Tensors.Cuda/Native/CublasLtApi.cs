namespace MiniGpt5.Tensors.Cuda.Native;

/// <summary>
/// cuBLASLt (libcublasLt.so.12 / cublasLt64_12.dll), bound through function pointers resolved on first use. Only
/// the matmul descriptor API is bound: descriptors, layouts (with strided batches), heuristics and cublasLtMatmul.
/// </summary>
internal sealed unsafe class CublasLtApi
{
    /// <summary>File names to try, newest major version first.</summary>
    public static readonly IReadOnlyList<string> LibraryNames = NativeLibraryResolver.Candidates(
        "libcublasLt", ["13", "12", "11"], ["cublasLt64_13.dll", "cublasLt64_12.dll", "cublasLt64_11.dll"]);

    private const string Install =
        "Install cuBLAS from the CUDA toolkit (apt: libcublas-12-x; containers: an nvidia/cuda *-runtime image) and make sure it is on LD_LIBRARY_PATH/PATH.";

    private static readonly Lazy<CublasLtApi> Loaded = new(() => new CublasLtApi(NativeLibraryResolver.Load("cuBLASLt", LibraryNames, Install)));

    // cudaDataType_t.
    public const int DataTypeF32 = 0;
    public const int DataTypeF16 = 2;
    public const int DataTypeBf16 = 14;

    // cublasComputeType_t.
    public const int Compute32F = 68;
    public const int Compute32FFastTf32 = 77;

    // cublasOperation_t.
    public const int OpN = 0;
    public const int OpT = 1;

    // cublasLtMatmulDescAttributes_t.
    public const int DescTransA = 3;
    public const int DescTransB = 4;
    public const int DescEpilogue = 7;
    public const int DescBiasPointer = 8;
    public const int DescBiasDataType = 26;

    // cublasLtEpilogue_t.
    public const int EpilogueDefault = 1;
    public const int EpilogueBias = 4;

    // cublasLtMatrixLayoutAttribute_t.
    public const int LayoutBatchCount = 5;
    public const int LayoutStridedBatchOffset = 6;

    // cublasLtMatmulPreferenceAttributes_t.
    public const int PreferenceMaxWorkspaceBytes = 1;
    public const int PreferenceMinAlignmentA = 5;
    public const int PreferenceMinAlignmentB = 6;
    public const int PreferenceMinAlignmentC = 7;
    public const int PreferenceMinAlignmentD = 8;

    public readonly delegate* unmanaged<nint*, int> CublasLtCreate;
    public readonly delegate* unmanaged<nint, int> CublasLtDestroy;
    public readonly delegate* unmanaged<nint*, int, int, int> CublasLtMatmulDescCreate;
    public readonly delegate* unmanaged<nint, int> CublasLtMatmulDescDestroy;
    public readonly delegate* unmanaged<nint, int, void*, nuint, int> CublasLtMatmulDescSetAttribute;
    public readonly delegate* unmanaged<nint*, int, ulong, ulong, long, int> CublasLtMatrixLayoutCreate;
    public readonly delegate* unmanaged<nint, int> CublasLtMatrixLayoutDestroy;
    public readonly delegate* unmanaged<nint, int, void*, nuint, int> CublasLtMatrixLayoutSetAttribute;
    public readonly delegate* unmanaged<nint*, int> CublasLtMatmulPreferenceCreate;
    public readonly delegate* unmanaged<nint, int> CublasLtMatmulPreferenceDestroy;
    public readonly delegate* unmanaged<nint, int, void*, nuint, int> CublasLtMatmulPreferenceSetAttribute;
    public readonly delegate* unmanaged<nint, nint, nint, nint, nint, nint, nint, int, MatmulHeuristicResult*, int*, int> CublasLtMatmulAlgoGetHeuristic;
    public readonly delegate* unmanaged<nint, nint, void*, ulong, nint, ulong, nint, void*, ulong, nint, ulong, nint, MatmulAlgo*, ulong, nuint, nint, int> CublasLtMatmul;

    private CublasLtApi(nint library)
    {
        var name = LibraryNames[0];
        nint Get(string export) => NativeLibraryResolver.Export(library, name, export);

        CublasLtCreate = (delegate* unmanaged<nint*, int>)Get("cublasLtCreate");
        CublasLtDestroy = (delegate* unmanaged<nint, int>)Get("cublasLtDestroy");
        CublasLtMatmulDescCreate = (delegate* unmanaged<nint*, int, int, int>)Get("cublasLtMatmulDescCreate");
        CublasLtMatmulDescDestroy = (delegate* unmanaged<nint, int>)Get("cublasLtMatmulDescDestroy");
        CublasLtMatmulDescSetAttribute = (delegate* unmanaged<nint, int, void*, nuint, int>)Get("cublasLtMatmulDescSetAttribute");
        CublasLtMatrixLayoutCreate = (delegate* unmanaged<nint*, int, ulong, ulong, long, int>)Get("cublasLtMatrixLayoutCreate");
        CublasLtMatrixLayoutDestroy = (delegate* unmanaged<nint, int>)Get("cublasLtMatrixLayoutDestroy");
        CublasLtMatrixLayoutSetAttribute = (delegate* unmanaged<nint, int, void*, nuint, int>)Get("cublasLtMatrixLayoutSetAttribute");
        CublasLtMatmulPreferenceCreate = (delegate* unmanaged<nint*, int>)Get("cublasLtMatmulPreferenceCreate");
        CublasLtMatmulPreferenceDestroy = (delegate* unmanaged<nint, int>)Get("cublasLtMatmulPreferenceDestroy");
        CublasLtMatmulPreferenceSetAttribute = (delegate* unmanaged<nint, int, void*, nuint, int>)Get("cublasLtMatmulPreferenceSetAttribute");
        CublasLtMatmulAlgoGetHeuristic = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, nint, int, MatmulHeuristicResult*, int*, int>)Get("cublasLtMatmulAlgoGetHeuristic");
        CublasLtMatmul = (delegate* unmanaged<nint, nint, void*, ulong, nint, ulong, nint, void*, ulong, nint, ulong, nint, MatmulAlgo*, ulong, nuint, nint, int>)Get("cublasLtMatmul");
    }

    /// <summary>cuBLASLt, loaded on first use.</summary>
    /// <exception cref="CudaUnavailableException">cuBLASLt is not installed.</exception>
    public static CublasLtApi Instance => Loaded.Value;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="function"/> unless <paramref name="status"/> is CUBLAS_STATUS_SUCCESS.</summary>
    public static void Check(int status, string function)
    {
        if (status != 0)
        {
            var name = status switch
            {
                1 => "CUBLAS_STATUS_NOT_INITIALIZED",
                3 => "CUBLAS_STATUS_ALLOC_FAILED",
                7 => "CUBLAS_STATUS_INVALID_VALUE",
                8 => "CUBLAS_STATUS_ARCH_MISMATCH",
                11 => "CUBLAS_STATUS_MAPPING_ERROR",
                13 => "CUBLAS_STATUS_EXECUTION_FAILED",
                14 => "CUBLAS_STATUS_INTERNAL_ERROR",
                15 => "CUBLAS_STATUS_NOT_SUPPORTED",
                _ => "cuBLAS error",
            };
            throw new CudaException($"{function} failed: {name} ({status}).") { Code = status, Function = function };
        }
    }

    /// <summary>cublasLtMatmulAlgo_t: 64 opaque bytes.</summary>
    [System.Runtime.CompilerServices.InlineArray(8)]
    public struct MatmulAlgo
    {
        private ulong _element;
    }

    /// <summary>cublasLtMatmulHeuristicResult_t.</summary>
    public struct MatmulHeuristicResult
    {
        public MatmulAlgo Algo;
        public nuint WorkspaceSize;
        public int State;
        public float WavesCount;
        public Int4 Reserved;
    }

    /// <summary>Four reserved ints.</summary>
    [System.Runtime.CompilerServices.InlineArray(4)]
    public struct Int4
    {
        private int _element;
    }
}
