using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Training.Autograd;
using MiniGpt5.Training.Autograd.Formulas;

namespace MiniGpt5.Training.Tests.Autograd;

/// <summary>How the tape records, frees and refuses: frozen tensors, no-grad regions, accumulation, in-place
/// writes, scopes, checkpoints.</summary>
public sealed class GradientTapeTests
{
    [Fact]
    public void Frozen_tensors_and_no_grad_regions_are_not_recorded()
    {
        using var w = Tensor.FromArray<float>([1f, 2f, 3f], [3]);
        using var frozen = Tensor.FromArray<float>([4f, 5f, 6f], [3]);
        w.RequiresGrad = true;
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        using var constant = frozen * 2.0;
        Assert.False(constant.RequiresGrad);
        Assert.Equal(0, tape.NodeCount);
        using (GradMode.NoGrad())
        {
            using var untracked = w * 2.0;
            Assert.False(untracked.RequiresGrad);
        }

        Assert.Equal(0, tape.NodeCount);
        using var product = w * frozen;
        using var loss = Ops.Sum(product);
        Assert.Equal(2, tape.NodeCount);
        tape.Backward(loss, store);
        Assert.Equal([4f, 5f, 6f], store.Get(w)!.ToFloatArray());
        Assert.Null(store.Get(frozen));
    }

    [Fact]
    public void Gradients_accumulate_over_micro_batches_until_zero_grad()
    {
        using var w = Tensor.FromArray<float>([1f, -1f], [2]);
        w.RequiresGrad = true;
        using var store = new GradientStore();
        foreach (var scale in new[] { 1.0, 3.0 })
        {
            using var tape = GradientTape.Start();
            using var scope = TensorScope.Enter();
            var loss = Ops.Sum(w * scale);
            tape.Backward(loss, store);
        }

        Assert.Equal([4f, 4f], store.Get(w)!.ToFloatArray());
        store.ZeroGrad();
        Assert.Null(store.Get(w));
    }

    [Fact]
    public void Saved_tensors_outlive_the_forward_scope()
    {
        using var w = Tensor.FromArray<float>([0.5f, 2f], [2]);
        w.RequiresGrad = true;
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        Tensor loss;
        using (TensorScope.Enter())
        {
            // exp saves its output, which this scope disposes before the backward runs.
            var e = Ops.Exp(w);
            loss = Ops.Sum(e * e).MoveToOuterScope();
        }

        using (loss)
        {
            tape.Backward(loss, store);
        }

        var expected = new[] { 2 * Math.Exp(1.0), 2 * Math.Exp(4.0) };
        var actual = store.Get(w)!.ToFloatArray();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(expected[i], actual[i], expected[i] * 1e-6);
        }
    }

    [Fact]
    public void A_second_backward_through_the_same_graph_is_refused()
    {
        using var w = Tensor.FromArray<float>([1f], [1]);
        w.RequiresGrad = true;
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        using var loss = Ops.Sum(Ops.Exp(w));
        tape.Backward(loss, store);
        var error = Assert.Throws<InvalidOperationException>(() => tape.Backward(loss, store));
        Assert.Contains("already back-propagated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loss_that_reaches_no_trainable_tensor_is_reported()
    {
        using var x = Tensor.FromArray<float>([1f], [1]);
        using var store = new GradientStore();
        using var tape = GradientTape.Start();
        using var loss = Ops.Sum(x);
        var error = Assert.Throws<InvalidOperationException>(() => tape.Backward(loss, store));
        Assert.Contains("does not require grad", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_place_writes_into_tracked_tensors_fail_when_they_happen()
    {
        using var w = Tensor.FromArray<float>([1f, 2f], [2]);
        w.RequiresGrad = true;
        using var tape = GradientTape.Start();
        using var y = w * 2.0;
        var inPlace = Assert.Throws<UnsupportedGradientException>(() => Ops.AddInPlace(y, 1.0));
        Assert.Equal(OpKind.Add, inPlace.Kind);
        Assert.Contains("in-place", inPlace.Message, StringComparison.Ordinal);

        // Writing a tracked value into part of a buffer would hide it from the graph.
        using var buffer = Tensor.Zeros([4]);
        using var part = buffer.Slice(0, 0, 2);
        var partial = Assert.Throws<UnsupportedGradientException>(() => Ops.CopyInto(part, y));
        Assert.Contains("Ops.Cat", partial.Message, StringComparison.Ordinal);

        // ... and so would overwriting the output of a recorded op.
        using var other = w * 3.0;
        Assert.Throws<UnsupportedGradientException>(() => Ops.Exp(w, output: other));
    }

    [Fact]
    public void An_op_kind_without_a_backward_is_named_at_record_time()
    {
        var error = Assert.Throws<UnsupportedGradientException>(() =>
            OpGradients.Plan((OpKind)999, OpAttributes.None, [true], 1, 1));
        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_differentiable_outputs_do_not_require_grad()
    {
        using var x = Tensor.FromArray<float>([1f, 3f, 2f], [3]);
        x.RequiresGrad = true;
        using var tape = GradientTape.Start();
        using var index = Ops.Argmax(x);
        using var compare = Ops.Gt(x, 1.5);
        var (values, indices) = Ops.TopK(x, 2);
        using (values)
        using (indices)
        {
            Assert.False(index.RequiresGrad);
            Assert.False(compare.RequiresGrad);
            Assert.False(indices.RequiresGrad);
            Assert.True(values.RequiresGrad);
        }
    }

    [Fact]
    public void Disposing_the_tape_unmarks_surviving_tensors()
    {
        using var w = Tensor.FromArray<float>([1f], [1]);
        w.RequiresGrad = true;
        Tensor y;
        using (GradientTape.Start())
        {
            y = w * 2.0;
            Assert.True(y.RequiresGrad);
        }

        using (y)
        {
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradNode);
        }
    }

    [Fact]
    public void Leaf_parameters_are_made_writable_float32_masters()
    {
        using var module = new MiniGpt5.Models.Nn.Linear(3, 2, bias: true, dtype: DType.BFloat16);
        module.Bias!.Trainable = false;
        var trainable = ParameterLeaves.Prepare(module);
        Assert.Equal(["weight"], trainable.Select(t => t.Name));
        Assert.Equal(DType.Float32, module.Weight.Value.DType);
        Assert.True(module.Weight.Value.RequiresGrad);
        Assert.Equal(DType.BFloat16, module.Bias.Value.DType);
        Assert.False(module.Bias.Value.RequiresGrad);
    }

    [Fact]
    public void Checkpointed_blocks_give_the_same_gradients_as_recorded_ones()
    {
        using var x = GradCheck.Randn(91, 2, 4);
        using var w1 = GradCheck.Randn(92, 5, 4);
        using var w2 = GradCheck.Randn(93, 4, 5);
        using var frozenInput = GradCheck.Randn(94, 2, 4);
        Tensor Block(Tensor[] inputs)
        {
            using var scope = TensorScope.Enter();
            var h = Ops.Gelu(Ops.Linear(inputs[0], w1));
            return (Ops.Linear(h, w2) + inputs[0]).MoveToOuterScope();
        }

        float[][] Run(bool checkpoint, Tensor input)
        {
            using var scope = TensorScope.Enter();
            var a = input.Clone();
            a.RequiresGrad = input != frozenInput;
            w1.RequiresGrad = true;
            w2.RequiresGrad = true;
            using var store = new GradientStore();
            using var tape = GradientTape.Start();
            var h1 = checkpoint ? ActivationCheckpoint.Run(Block, a) : Block([a]);
            var h2 = checkpoint ? ActivationCheckpoint.Run(Block, h1) : Block([h1]);
            var loss = Ops.Sum(h2 * h2);
            if (checkpoint)
            {
                // Two checkpoint nodes plus the loss ops: no activations of the blocks were recorded.
                Assert.Equal(4, tape.NodeCount);
            }

            tape.Backward(loss, store);
            var grads = new List<float[]> { store.Get(w1)!.ToFloatArray(), store.Get(w2)!.ToFloatArray() };
            if (a.RequiresGrad)
            {
                grads.Add(store.Get(a)!.ToFloatArray());
            }

            w1.RequiresGrad = false;
            w2.RequiresGrad = false;
            return grads.ToArray();
        }

        foreach (var input in new[] { x, frozenInput })
        {
            var plain = Run(false, input);
            var checkpointed = Run(true, input);
            Assert.Equal(plain.Length, checkpointed.Length);
            for (var i = 0; i < plain.Length; i++)
            {
                Assert.Equal(plain[i], checkpointed[i]);
            }
        }
    }
}
