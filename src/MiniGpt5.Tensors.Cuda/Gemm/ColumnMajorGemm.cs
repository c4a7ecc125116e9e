namespace MiniGpt5.Tensors.Cuda.Gemm;

/// <summary>
/// One (strided-batched) GEMM in cuBLAS's column-major terms: D[m×n] = op(A)[m×k] · op(B)[k×n], each operand stored
/// column-major with its leading dimension, and a batch stride per operand (0 = shared by the whole batch). A
/// row-major product C = X·Y is the column-major product Cᵀ = Yᵀ·Xᵀ, so <see cref="GemmPlanner"/> hands Y as A and
/// X as B without moving a byte.
/// </summary>
/// <param name="TransA">Whether A is used transposed (its storage is k×m).</param>
/// <param name="TransB">Whether B is used transposed (its storage is n×k).</param>
/// <param name="M">Rows of D.</param>
/// <param name="N">Columns of D.</param>
/// <param name="K">The reduced dimension.</param>
/// <param name="Lda">Leading dimension of A's storage.</param>
/// <param name="Ldb">Leading dimension of B's storage.</param>
/// <param name="Ldd">Leading dimension of D.</param>
/// <param name="Batch">Number of products.</param>
/// <param name="StrideA">Elements between A's batch entries (0: broadcast).</param>
/// <param name="StrideB">Elements between B's batch entries (0: broadcast).</param>
/// <param name="StrideD">Elements between D's batch entries.</param>
internal readonly record struct ColumnMajorGemm(
    bool TransA,
    bool TransB,
    long M,
    long N,
    long K,
    long Lda,
    long Ldb,
    long Ldd,
    int Batch,
    long StrideA,
    long StrideB,
    long StrideD)
{
    /// <summary>Rows of A's storage.</summary>
    public long ARows => TransA ? K : M;

    /// <summary>Columns of A's storage.</summary>
    public long ACols => TransA ? M : K;

    /// <summary>Rows of B's storage.</summary>
    public long BRows => TransB ? N : K;

    /// <summary>Columns of B's storage.</summary>
    public long BCols => TransB ? K : N;
}
