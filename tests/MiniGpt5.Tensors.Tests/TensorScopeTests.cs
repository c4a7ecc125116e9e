namespace MiniGpt5.Tensors.Tests;

public sealed class TensorScopeTests
{
    [Fact]
    public void Scope_disposes_what_was_created_inside_except_moved_tensors()
    {
        Tensor kept;
        Tensor inner;
        Tensor result;
        using (var outer = TensorScope.Enter())
        {
            kept = Tensor.Ones([3]);
            using (var scope = TensorScope.Enter())
            {
                inner = Tensor.Zeros([2]);
                var sum = Ops.Add(inner, 1.0);
                result = Ops.Mul(sum, 2.0).MoveToOuterScope();
                Assert.Equal(2, scope.Count); // inner and sum; result was moved out
            }

            Assert.True(inner.IsDisposed);
            Assert.False(result.IsDisposed);
            Assert.Equal(new float[] { 2, 2 }, result.ToArray<float>());
            Assert.Same(outer, TensorScope.Current);
        }

        Assert.True(kept.IsDisposed);
        Assert.True(result.IsDisposed);
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void Moving_out_of_the_outermost_scope_hands_the_tensor_to_the_caller()
    {
        Tensor survivor;
        Tensor detached;
        using (TensorScope.Enter())
        {
            survivor = Tensor.Ones([2]).MoveToOuterScope();
            detached = Tensor.Ones([2]).DetachFromScope();
        }

        Assert.False(survivor.IsDisposed);
        Assert.False(detached.IsDisposed);
        survivor.Dispose();
        detached.Dispose();
    }

    [Fact]
    public async Task Scope_flows_through_awaits_and_tasks()
    {
        Tensor fromTask;
        using (var scope = TensorScope.Enter())
        {
            await Task.Yield();
            fromTask = await Task.Run(() => Tensor.Zeros([4]));
            Assert.Same(scope, TensorScope.Current);
        }

        Assert.True(fromTask.IsDisposed);
    }

    [Fact]
    public void Storage_is_freed_when_the_scope_ends()
    {
        TensorStorage storage;
        using (TensorScope.Enter())
        {
            var x = Tensor.Zeros([16]);
            storage = x.Storage;
            _ = x.Reshape(4, 4).Transpose(0, 1);
            Assert.Equal(3, storage.ReferenceCount);
        }

        Assert.Equal(0, storage.ReferenceCount);
    }
}
