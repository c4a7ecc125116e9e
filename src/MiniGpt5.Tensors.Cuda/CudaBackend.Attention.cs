using MiniGpt5.Tensors.Cuda.Kernels;
using MiniGpt5.Tensors.Dispatch;

namespace MiniGpt5.Tensors.Cuda;

// Fused attention (attention.cu): q [B, H, Tq, D] or [BH, Tq, D], contiguous; k, v share q's batch with H or fewer
// (grouped-query) heads; the mask is read through broadcast strides over (b, h, query, key).
public sealed unsafe partial class CudaBackend
{
    private void Attention(Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor y, AttentionAttributes attributes)
    {
        var rank4 = q.Rank == 4;
        var batch = rank4 ? q.Shape[0] : 1;
        var heads = rank4 ? q.Shape[1] : q.Shape[0];
        var kvHeads = rank4 ? k.Shape[1] : k.Shape[0];
        int tq = q.Shape[^2], tk = k.Shape[^2], d = q.Shape[^1], dv = v.Shape[^1];
        var scale = (float)attributes.Scale;
        var causal = !attributes.IsCausal ? 0 : attributes.CausalVariant == CausalVariant.UpperLeft ? 1 : 2;

        long msB = 0, msH = 0, msQ = 0, msK = 0;
        var maskType = -1;
        if (mask is not null)
        {
            // Mask strides over [B, H, Tq, Tk] (rank-3 queries: [1, BH, Tq, Tk]).
            var strides = BroadcastStrides(mask, [batch, heads, tq, tk]);
            (msB, msH, msQ, msK) = (strides[0], strides[1], strides[2], strides[3]);
            maskType = (int)mask.DType;
        }

        ulong qa = Address(q), ka = Address(k), va = Address(v), ya = Address(y), ma = Address(mask);
        var type = (int)q.DType;
        void** args = stackalloc void*[]
        {
            &qa, &ka, &va, &ya, &type, &ma, &maskType, &msB, &msH, &msQ, &msK, &heads, &kvHeads, &tq, &tk, &d, &dv, &scale, &causal,
        };
        _kernels.Launch(_kernels.Function("attention", "flash_attention"), LaunchConfig.Attention((long)batch * heads, tq), args, "flash_attention");
    }
}
