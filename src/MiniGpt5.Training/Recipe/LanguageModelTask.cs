using MiniGpt5.Models.Llama;
using MiniGpt5.Tensors;
using MiniGpt5.Training.Losses;
using MiniGpt5.Training.Trainer;

namespace MiniGpt5.Training.Recipe;

/// <summary>LLM pre-training: Hugging Face's causal-LM cross entropy of <see cref="LlamaForCausalLM"/> on token ids.</summary>
public sealed class LanguageModelTask(LlamaForCausalLM llm) : ITrainingTask<TextBatch>
{
    /// <summary>The model being trained.</summary>
    public LlamaForCausalLM Llm { get; } = llm ?? throw new ArgumentNullException(nameof(llm));

    /// <inheritdoc />
    public LossResult Loss(TextBatch batch, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = TensorScope.Enter();
        var logits = Llm.Forward(batch.Ids);                                  // [B, L, V]
        var loss = CausalLmLoss.Compute(logits, batch.Labels).MoveToOuterScope();
        return new LossResult(loss, new Dictionary<string, double> { ["text"] = loss.Item<float>() });
    }
}
