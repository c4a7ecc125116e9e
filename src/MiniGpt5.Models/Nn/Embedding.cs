using MiniGpt5.Tensors;

namespace MiniGpt5.Models.Nn;

/// <summary>nn.Embedding. Key "weight" [num, dim].</summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, DType dtype = DType.Float32)
    {
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Weight = Param("weight", [numEmbeddings, embeddingDim], dtype);
    }

    public int NumEmbeddings { get; }

    public int EmbeddingDim { get; }

    public Parameter Weight { get; }

    /// <summary>ids (int32/int64) [...] → [..., dim].</summary>
    public Tensor Forward(Tensor ids, Tensor? output = null) => Ops.Embedding(ids, Weight.Value, output);

    /// <inheritdoc />
    protected override void ResetParameters(Generator generator) => WeightInit.Normal(Weight, 1.0, generator);
}
