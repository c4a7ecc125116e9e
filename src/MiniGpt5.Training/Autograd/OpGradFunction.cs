using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Dispatch;
using MiniGpt5.Training.Autograd.Formulas;

namespace MiniGpt5.Training.Autograd;

/// <summary>
/// The node for one engine op: its kind and attributes, the shapes/dtypes/devices of its inputs, and only the
/// inputs and outputs its backward formula reads (as decided by <see cref="OpGradients.Plan"/>).
/// </summary>
internal sealed class OpGradFunction : GradFunction
{
    private readonly Tensor?[] _savedInputs;
    private readonly Tensor?[] _savedOutputs;

    private OpGradFunction(
        OpKind kind, OpAttributes attributes, GradEdge?[] edges, int[][] inputShapes, DType[] inputDTypes, Device[] inputDevices,
        int[][] outputShapes, Tensor?[] savedInputs, Tensor?[] savedOutputs)
        : base(edges, outputShapes)
    {
        Kind = kind;
        Attributes = attributes;
        InputShapes = inputShapes;
        InputDTypes = inputDTypes;
        InputDevices = inputDevices;
        _savedInputs = savedInputs;
        _savedOutputs = savedOutputs;
    }

    public OpKind Kind { get; }

    public OpAttributes Attributes { get; }

    public int[][] InputShapes { get; }

    public DType[] InputDTypes { get; }

    public Device[] InputDevices { get; }

    public int InputCount => InputShapes.Length;

    public override string Name => Kind.ToString();

    /// <summary>Whether input <paramref name="index"/> wants a gradient.</summary>
    public bool Needs(int index) => index < Edges.Length && Edges[index] is not null;

    /// <summary>A saved input; throws (naming the op) if the plan did not save it.</summary>
    public Tensor Input(int index) =>
        _savedInputs[index] ?? throw new InvalidOperationException($"Autograd: {Kind} did not save input {index} for its backward.");

    /// <summary>A saved input, or null when absent.</summary>
    public Tensor? InputOrNull(int index) => index < _savedInputs.Length ? _savedInputs[index] : null;

    /// <summary>A saved output; throws if the plan did not save it.</summary>
    public Tensor Output(int index) =>
        _savedOutputs[index] ?? throw new InvalidOperationException($"Autograd: {Kind} did not save output {index} for its backward.");

    /// <summary>Builds the node for an op whose edges are known, saving what <see cref="OpGradients.Plan"/> asks.</summary>
    public static OpGradFunction Create(
        OpKind kind, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> outputs, OpAttributes attributes, GradEdge?[] edges)
    {
        var needs = new bool[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            needs[i] = edges[i] is not null;
        }

        var (saveInputs, saveOutputs) = OpGradients.Plan(kind, attributes, needs, inputs.Length, outputs.Length);
        var savedInputs = new Tensor?[inputs.Length];
        var savedOutputs = new Tensor?[outputs.Length];
        var inputShapes = new int[inputs.Length][];
        var inputDTypes = new DType[inputs.Length];
        var inputDevices = new Device[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputShapes[i] = inputs[i].ShapeArray();
            inputDTypes[i] = inputs[i].DType;
            inputDevices[i] = inputs[i].Device;
            if (saveInputs[i])
            {
                savedInputs[i] = SavedTensors.Keep(inputs[i]);
            }
        }

        var outputShapes = new int[outputs.Length][];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputShapes[i] = outputs[i].ShapeArray();
            if (saveOutputs[i])
            {
                savedOutputs[i] = SavedTensors.Keep(outputs[i]);
            }
        }

        return new OpGradFunction(kind, attributes, edges, inputShapes, inputDTypes, inputDevices, outputShapes, savedInputs, savedOutputs);
    }

    public override Tensor?[] Backward(BackwardContext context, Tensor?[] outputGradients)
    {
        if (IsReleased)
        {
            throw new InvalidOperationException(
                $"Autograd: backward ran twice through {Kind}; its saved tensors were freed after the first backward (record the forward again).");
        }

        return OpGradients.Backward(this, outputGradients);
    }

    protected override void ReleaseSaved()
    {
        SavedTensors.Dispose(_savedInputs);
        SavedTensors.Dispose(_savedOutputs);
    }
}
