using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

// Views: new tensor objects over the same storage (no copy), recorded for autograd. Reshape is the one exception:
// like torch.reshape it copies when the layout cannot be viewed.
public sealed partial class Tensor
{
    /// <summary>torch.Tensor.view: a view with a new shape (one size may be -1). Throws when the strides do not allow
    /// it (use <see cref="Reshape"/>, which copies in that case).</summary>
    public Tensor View(params ReadOnlySpan<int> shape)
    {
        var newShape = ShapeMath.InferShape(shape, NumElements, _shape, nameof(View));
        var strides = ShapeMath.ViewStrides(_shape, _strides, newShape)
            ?? throw new TensorShapeException(
                $"View: a tensor of shape {ShapeMath.Format(_shape)} with strides [{string.Join(", ", _strides)}] cannot be viewed as " +
                $"{ShapeMath.Format(newShape)} without a copy; call Reshape or Contiguous first.");
        var view = WithLayout(newShape, strides, Offset);
        Dispatcher.RecordView(OpKind.Reshape, this, view, new ShapeAttributes(newShape));
        return view;
    }

    /// <summary>torch.reshape: a view when the layout allows, else a contiguous copy. One size may be -1.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        var newShape = ShapeMath.InferShape(shape, NumElements, _shape, nameof(Reshape));
        var strides = ShapeMath.ViewStrides(_shape, _strides, newShape);
        Tensor result;
        if (strides is not null)
        {
            result = WithLayout(newShape, strides, Offset);
        }
        else
        {
            result = Empty(newShape, DType, Device);
            using var staging = result.WithLayout(_shape, ShapeMath.ContiguousStrides(_shape), 0);
            Backends.For(Device).Execute(OpKind.Copy, [this], [staging], OpAttributes.None);
        }

        Dispatcher.RecordView(OpKind.Reshape, this, result, new ShapeAttributes(newShape));
        return result;
    }

    /// <summary>Collapses dims <paramref name="startDim"/>..<paramref name="endDim"/> into one (torch.flatten).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0)
        {
            return Reshape(1);
        }

        var start = ShapeMath.NormalizeDim(startDim, Rank, nameof(Flatten), _shape);
        var end = ShapeMath.NormalizeDim(endDim, Rank, nameof(Flatten), _shape);
        if (start > end)
        {
            throw new TensorShapeException($"Flatten: start dim {startDim} comes after end dim {endDim} for shape {ShapeMath.Format(_shape)}.");
        }

        var shape = new int[Rank - (end - start)];
        var merged = 1;
        for (var i = start; i <= end; i++)
        {
            merged *= _shape[i];
        }

        _shape.AsSpan(0, start).CopyTo(shape);
        shape[start] = merged;
        _shape.AsSpan(end + 1).CopyTo(shape.AsSpan(start + 1));
        return Reshape(shape);
    }

    /// <summary>torch.permute: output dim i is input dim <c>dims[i]</c>.</summary>
    public Tensor Permute(params ReadOnlySpan<int> dims)
    {
        if (dims.Length != Rank)
        {
            throw new TensorShapeException($"Permute: {dims.Length} dims given for a tensor of shape {ShapeMath.Format(_shape)}.");
        }

        var order = new int[Rank];
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new long[Rank];
        for (var i = 0; i < Rank; i++)
        {
            var d = ShapeMath.NormalizeDim(dims[i], Rank, nameof(Permute), _shape);
            if (seen[d])
            {
                throw new TensorShapeException($"Permute: dim {d} appears twice in [{string.Join(", ", dims.ToArray())}].");
            }

            seen[d] = true;
            order[i] = d;
            shape[i] = _shape[d];
            strides[i] = _strides[d];
        }

        var view = WithLayout(shape, strides, Offset);
        Dispatcher.RecordView(OpKind.Permute, this, view, new PermuteAttributes(order));
        return view;
    }

    /// <summary>Swaps two dims (torch.transpose).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var a = ShapeMath.NormalizeDim(dim0, Rank, nameof(Transpose), _shape);
        var b = ShapeMath.NormalizeDim(dim1, Rank, nameof(Transpose), _shape);
        Span<int> order = stackalloc int[Rank];
        for (var i = 0; i < Rank; i++)
        {
            order[i] = i;
        }

        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>Python slicing <c>x[..., start:end:step]</c> along one dim: negative indices count from the end and
    /// bounds are clamped; <paramref name="step"/> must be positive.</summary>
    public Tensor Slice(int dim, int start = 0, int end = int.MaxValue, int step = 1)
    {
        var d = ShapeMath.NormalizeDim(dim, Rank, nameof(Slice), _shape);
        if (step <= 0)
        {
            throw new TensorShapeException($"Slice: step must be positive, got {step}.");
        }

        var size = _shape[d];
        var s = Math.Clamp(start < 0 ? start + size : start, 0, size);
        var e = Math.Clamp(end < 0 ? (long)end + size : end, 0, size);
        var e32 = (int)Math.Max(e, s);
        var count = (e32 - s + step - 1) / step;
        var shape = ShapeArray();
        var strides = (long[])_strides.Clone();
        shape[d] = count;
        strides[d] = _strides[d] * step;
        var view = WithLayout(shape, strides, Offset + (count > 0 ? s * _strides[d] : 0));
        Dispatcher.RecordView(OpKind.Slice, this, view, new SliceAttributes(d, s, e32, step));
        return view;
    }

    /// <summary>torch.narrow: <paramref name="length"/> elements from <paramref name="start"/> (negative counts from
    /// the end); throws when the range leaves the dim.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        var d = ShapeMath.NormalizeDim(dim, Rank, nameof(Narrow), _shape);
        var s = start < 0 ? start + _shape[d] : start;
        if (s < 0 || length < 0 || (long)s + length > _shape[d])
        {
            throw new TensorShapeException(
                $"Narrow: range start {start} length {length} does not fit dim {d} of size {_shape[d]} (shape {ShapeMath.Format(_shape)}).");
        }

        return Slice(d, s, s + length);
    }

    /// <summary>torch.select: index <paramref name="index"/> of dim <paramref name="dim"/>; that dim disappears.</summary>
    public Tensor Select(int dim, int index)
    {
        var d = ShapeMath.NormalizeDim(dim, Rank, nameof(Select), _shape);
        var i = index < 0 ? index + _shape[d] : index;
        if (i < 0 || i >= _shape[d])
        {
            throw new TensorShapeException(
                $"Select: index {index} is out of range for dim {d} of size {_shape[d]} (shape {ShapeMath.Format(_shape)}).");
        }

        var shape = new int[Rank - 1];
        var strides = new long[Rank - 1];
        for (int src = 0, dst = 0; src < Rank; src++)
        {
            if (src != d)
            {
                shape[dst] = _shape[src];
                strides[dst++] = _strides[src];
            }
        }

        var view = WithLayout(shape, strides, Offset + i * _strides[d]);
        Dispatcher.RecordView(OpKind.Select, this, view, new SelectAttributes(d, i));
        return view;
    }

    /// <summary>torch.expand: broadcasts size-1 dims (and new leading dims) without copying; -1 keeps a size.</summary>
    public Tensor Expand(params ReadOnlySpan<int> shape)
    {
        if (shape.Length < Rank)
        {
            throw new TensorShapeException($"Expand: cannot expand shape {ShapeMath.Format(_shape)} to fewer dims {ShapeMath.Format(shape)}.");
        }

        var lead = shape.Length - Rank;
        var newShape = new int[shape.Length];
        var strides = new long[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            var target = shape[i];
            if (i < lead)
            {
                if (target < 0)
                {
                    throw new TensorShapeException($"Expand: size -1 is not allowed for the new leading dim {i} in {ShapeMath.Format(shape)}.");
                }

                newShape[i] = target;
                strides[i] = 0;
                continue;
            }

            var own = _shape[i - lead];
            if (target == -1 || target == own)
            {
                newShape[i] = own;
                strides[i] = _strides[i - lead];
            }
            else if (own == 1 && target >= 0)
            {
                newShape[i] = target;
                strides[i] = 0;
            }
            else
            {
                throw new TensorShapeException(
                    $"Expand: cannot expand shape {ShapeMath.Format(_shape)} to {ShapeMath.Format(shape)} (dim {i}: {own} is not 1).");
            }
        }

        var view = WithLayout(newShape, strides, Offset);
        Dispatcher.RecordView(OpKind.Expand, this, view, new ShapeAttributes(newShape));
        return view;
    }

    /// <summary>Inserts a size-1 dim at <paramref name="dim"/> (-rank-1..rank).</summary>
    public Tensor Unsqueeze(int dim)
    {
        var d = ShapeMath.NormalizeDim(dim, Rank + 1, nameof(Unsqueeze), _shape);
        var shape = new int[Rank + 1];
        var strides = new long[Rank + 1];
        for (int src = 0, dst = 0; dst <= Rank; dst++)
        {
            if (dst == d)
            {
                shape[dst] = 1;
                strides[dst] = d < Rank ? _strides[d] * _shape[d] : 1;
            }
            else
            {
                shape[dst] = _shape[src];
                strides[dst] = _strides[src++];
            }
        }

        var view = WithLayout(shape, strides, Offset);
        Dispatcher.RecordView(OpKind.Reshape, this, view, new ShapeAttributes(shape));
        return view;
    }

    /// <summary>Removes dim <paramref name="dim"/> if its size is 1 (otherwise returns an alias, like torch).</summary>
    public Tensor Squeeze(int dim)
    {
        var d = ShapeMath.NormalizeDim(dim, Rank, nameof(Squeeze), _shape);
        return _shape[d] != 1 ? Alias() : SqueezeWhere(i => i == d);
    }

    /// <summary>Removes every size-1 dim.</summary>
    public Tensor Squeeze() => SqueezeWhere(i => _shape[i] == 1);

    private Tensor SqueezeWhere(Func<int, bool> drop)
    {
        var shape = new List<int>(Rank);
        var strides = new List<long>(Rank);
        for (var i = 0; i < Rank; i++)
        {
            if (!drop(i))
            {
                shape.Add(_shape[i]);
                strides.Add(_strides[i]);
            }
        }

        var newShape = shape.ToArray();
        var view = WithLayout(newShape, strides.ToArray(), Offset);
        Dispatcher.RecordView(OpKind.Reshape, this, view, new ShapeAttributes(newShape));
        return view;
    }

    /// <summary>A contiguous tensor with the same values: a new view object when already contiguous, else a copy.</summary>
    public Tensor Contiguous() => IsContiguous ? Alias() : Ops.CopyAs(this, DType);

    /// <summary>A contiguous copy that shares nothing with this tensor (torch.clone).</summary>
    public Tensor Clone() => Ops.CopyAs(this, DType);

    /// <summary>Converts to another dtype (f32→f16/bf16 round to nearest even, float→int truncates toward zero,
    /// like PyTorch). Same dtype gives an alias.</summary>
    public Tensor To(DType dtype) => dtype == DType ? Alias() : Ops.CopyAs(this, dtype);

    /// <summary>Copies to another device (contiguous); same device gives an alias.</summary>
    public Tensor To(Device device)
    {
        if (device == Device)
        {
            return Alias();
        }

        using var source = Contiguous();
        var result = Empty(_shape, DType, device);
        var bytes = checked((int)(NumElements * DType.SizeOf()));
        var sourceBackend = Backends.For(Device);
        var targetBackend = Backends.For(device);
        var byteOffset = source.Offset * DType.SizeOf();
        if (Device.Kind == DeviceKind.Cpu)
        {
            targetBackend.CopyFromHost(source.HostBytes(), result.Storage, 0);
        }
        else if (device.Kind == DeviceKind.Cpu)
        {
            sourceBackend.CopyToHost(source.Storage, byteOffset, result.HostBytes());
        }
        else
        {
            var host = new byte[bytes];
            sourceBackend.CopyToHost(source.Storage, byteOffset, host);
            targetBackend.CopyFromHost(host, result.Storage, 0);
        }

        Dispatcher.Record(OpKind.Copy, [this], [result], OpAttributes.None);
        return result;
    }
}
