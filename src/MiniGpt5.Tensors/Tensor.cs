using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Tensors.Internal;

namespace MiniGpt5.Tensors;

/// <summary>
/// An n-dimensional view of a <see cref="TensorStorage"/>: element type, shape, strides (in elements) and an element
/// offset. Views (reshape, permute, slice, expand, ...) share the storage; ops return new tensors.
/// </summary>
/// <remarks>
/// Ownership is explicit. Every tensor holds one reference to its storage and gives it back in
/// <see cref="Dispose"/>; there is no finalizer. Every op and view returns a new <see cref="Tensor"/> object that the
/// caller owns (even when it shares memory with its input). Inside a <see cref="TensorScope"/>, tensors are disposed
/// with the scope unless moved out with <see cref="MoveToOuterScope"/> or <see cref="DetachFromScope"/>.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private readonly long[] _strides;
    private TensorStorage? _storage;

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal TensorScope? Scope;

    private Tensor(TensorStorage storage, DType dtype, int[] shape, long[] strides, long offset, bool retain)
    {
        if (retain)
        {
            storage.Retain();
        }

        _storage = storage;
        DType = dtype;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        NumElements = ShapeMath.NumElements(shape);
        IsContiguous = ShapeMath.IsContiguous(shape, strides);
        TensorScope.Register(this);
    }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Where the storage lives.</summary>
    public Device Device => Storage.Device;

    /// <summary>Sizes of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Distance in elements between neighbours along each dimension (0 for expanded dims).</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Offset of element [0, 0, ...] from the start of the storage, in elements.</summary>
    public long Offset { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements (product of the shape).</summary>
    public long NumElements { get; }

    /// <summary>True when the elements are laid out row-major without gaps.</summary>
    public bool IsContiguous { get; }

    /// <summary>The storage viewed; throws once the tensor is disposed.</summary>
    public TensorStorage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), $"Tensor {Describe()} was disposed.");

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => _storage is null;

    /// <summary>Address of element [0, 0, ...] (host address for CPU tensors, device address otherwise).</summary>
    public nint DataPointer => Storage.Pointer + (nint)(Offset * DType.SizeOf());

    /// <summary>Whether autograd should track ops on this tensor (see <see cref="IOpRecorder"/>).</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Opaque slot for the autograd engine's node that produced this tensor.</summary>
    public object? GradNode { get; set; }

    /// <summary>Optional name for debugging and layer-by-layer dumps ("attn_norm.3").</summary>
    public string? Name { get; set; }

    /// <summary>Size of one dimension; negative dims count from the end.</summary>
    public int Size(int dim) => _shape[ShapeMath.NormalizeDim(dim, Rank, nameof(Size), _shape)];

    /// <summary>Stride of one dimension in elements; negative dims count from the end.</summary>
    public long Stride(int dim) => _strides[ShapeMath.NormalizeDim(dim, Rank, nameof(Stride), _shape)];

    /// <summary>A copy of the shape.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>
    /// A tensor viewing existing storage with the given layout. The tensor takes its own reference to the storage;
    /// the caller keeps (and must eventually release) its own.
    /// </summary>
    /// <exception cref="TensorShapeException">The layout reaches outside the storage or has negative sizes/strides.</exception>
    public static Tensor FromStorage(TensorStorage storage, DType dtype, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (shape.Length != strides.Length)
        {
            throw new TensorShapeException(
                $"FromStorage: shape {ShapeMath.Format(shape)} has {shape.Length} dims but {strides.Length} strides were given.");
        }

        CheckFits(storage, dtype, shape, strides, offset);
        return new Tensor(storage, dtype, shape.ToArray(), strides.ToArray(), offset, retain: true);
    }

    /// <summary>The same with a 64-bit shape, as checkpoint readers describe tensors (each size must fit in an int).</summary>
    public static Tensor FromStorage(TensorStorage storage, DType dtype, ReadOnlySpan<long> shape, ReadOnlySpan<long> strides, long offset)
    {
        var sizes = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] is < 0 or > int.MaxValue)
            {
                throw new TensorShapeException($"FromStorage: size {shape[i]} of dim {i} in [{string.Join(", ", shape.ToArray())}] is out of range.");
            }

            sizes[i] = (int)shape[i];
        }

        return FromStorage(storage, dtype, sizes, strides, offset);
    }

    /// <summary>A contiguous tensor viewing existing storage from <paramref name="offset"/> (in elements).</summary>
    public static Tensor FromStorage(TensorStorage storage, DType dtype, ReadOnlySpan<int> shape, long offset = 0) =>
        FromStorage(storage, dtype, shape, ShapeMath.ContiguousStrides(shape), offset);

    /// <summary>Wraps a storage this code just allocated, taking over the creator's reference.</summary>
    internal static Tensor Adopt(TensorStorage storage, DType dtype, int[] shape) =>
        new(storage, dtype, shape, ShapeMath.ContiguousStrides(shape), 0, retain: false);

    /// <summary>A new tensor object over the same storage with a new layout (used by views).</summary>
    internal Tensor WithLayout(int[] shape, long[] strides, long offset) =>
        new(Storage, DType, shape, strides, offset, retain: true);

    /// <summary>A second tensor object viewing exactly the same elements. Useful to keep a tensor alive past the
    /// scope that owns the original (for example an autograd node saving its inputs).</summary>
    public Tensor Alias()
    {
        var alias = WithLayout(_shape, _strides, Offset);
        Dispatcher.RecordView(OpKind.Alias, this, alias, OpAttributes.None);
        return alias;
    }

    /// <summary>Gives back this tensor's storage reference. Safe to call more than once.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _storage, null)?.Release();
    }

    /// <summary>Hands this tensor to the scope enclosing its current scope (or to the caller, when there is none)
    /// and returns it, so a method can return a result created inside its own scope.</summary>
    public Tensor MoveToOuterScope()
    {
        var scope = Scope;
        if (scope is not null)
        {
            Scope = null;
            scope.Parent?.Adopt(this);
        }

        return this;
    }

    /// <summary>Removes this tensor from any scope: the caller now disposes it. Returns it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    /// <summary>"Tensor[2, 3] float32 cpu", plus the name when set.</summary>
    public override string ToString() => Name is null ? $"Tensor{Describe()}" : $"Tensor '{Name}' {Describe()}";

    /// <summary>"[2, 3] float32 cpu" (or "[2, 3] float32 disposed").</summary>
    internal string Describe() =>
        $"{ShapeMath.Format(_shape)} {DType.TorchName()} {(_storage is null ? "disposed" : _storage.Device.ToString())}";

    private static void CheckFits(TensorStorage storage, DType dtype, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        if (offset < 0)
        {
            throw new TensorShapeException($"FromStorage: negative offset {offset}.");
        }

        long last = offset;
        var empty = false;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || strides[i] < 0)
            {
                throw new TensorShapeException(
                    $"FromStorage: shape {ShapeMath.Format(shape)} with strides [{string.Join(", ", strides.ToArray())}] has a negative size or stride.");
            }

            empty |= shape[i] == 0;
            last += (long)Math.Max(shape[i] - 1, 0) * strides[i];
        }

        var needed = empty ? 0 : (last + 1) * dtype.SizeOf();
        if (needed > storage.ByteLength)
        {
            throw new TensorShapeException(
                $"FromStorage: a {dtype.TorchName()} tensor of shape {ShapeMath.Format(shape)}, strides [{string.Join(", ", strides.ToArray())}] " +
                $"and offset {offset} needs {needed} bytes but the storage has {storage.ByteLength}.");
        }
    }
}
