using MiniGpt5.Models.Nn;
using MiniGpt5.Tensors;
using MiniGpt5.Tensors.Serialization;

namespace MiniGpt5.Models.Tests.Nn;

public sealed class ModuleTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "minigpt5-nn-" + Guid.NewGuid().ToString("N"));

    public ModuleTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Named_parameters_use_pytorch_state_dict_keys_in_registration_order()
    {
        using var block = new TinyBlock(bias: true);
        Assert.Equal(
            ["proj.weight", "proj.bias", "norm.weight", "norm.bias", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "position_ids"],
            block.StateDict().Select(p => p.Name).ToArray());
        Assert.Equal(4 * 3 + 4 + 4 + 4 + 2 * (4 * 4 + 4), block.ParameterCount());
    }

    [Fact]
    public async Task Saved_module_loads_back_bit_for_bit_under_a_prefix()
    {
        using var original = new TinyBlock(bias: true);
        original.InitializeWeights(new Generator(7));
        var path = Path.Combine(_folder, "block.safetensors");
        await ModuleFiles.SaveAsync(original, path, prefix: "model.block.");

        using var copy = new TinyBlock(bias: true);
        ModuleFiles.Load(copy, path, prefix: "model.block.");

        foreach (var ((name, a), (_, b)) in original.StateDict().Zip(copy.StateDict()))
        {
            Assert.True(a.Value.ToFloatArray().SequenceEqual(b.Value.ToFloatArray()), name);
        }
    }

    [Fact]
    public async Task Strict_load_lists_missing_unexpected_and_misshapen_keys_and_changes_nothing()
    {
        using var source = new TinyBlock(bias: false);
        source.InitializeWeights(new Generator(1));
        var path = Path.Combine(_folder, "nobias.safetensors");
        await ModuleFiles.SaveAsync(source, path);

        using var target = new TinyBlock(bias: true);
        target.InitializeWeights(new Generator(2));
        var before = target.StateDict().Select(p => p.Tensor.Value.ToFloatArray()).ToList();

        var error = Assert.Throws<CheckpointKeyMismatchException>(() => ModuleFiles.Load(target, path));
        Assert.Contains("proj.bias", error.Message, StringComparison.Ordinal);
        Assert.Contains("layers.1.bias", error.Message, StringComparison.Ordinal);

        var after = target.StateDict().Select(p => p.Tensor.Value.ToFloatArray()).ToList();
        Assert.All(before.Zip(after), pair => Assert.True(pair.First.SequenceEqual(pair.Second)));
    }

    [Fact]
    public async Task Non_strict_load_forgives_missing_keys_but_never_a_wrong_shape()
    {
        using var source = new TinyBlock(bias: false);
        source.InitializeWeights(new Generator(3));
        var path = Path.Combine(_folder, "partial.safetensors");
        await ModuleFiles.SaveAsync(source, path);

        using var target = new TinyBlock(bias: true);
        ModuleFiles.Load(target, path, options: new LoadOptions { Strict = false });
        Assert.Equal(source.StateDict().First().Tensor.Value.ToFloatArray(), target.StateDict().First().Tensor.Value.ToFloatArray());

        using var wide = new TinyBlock(bias: true, width: 5);
        var error = Assert.Throws<CheckpointKeyMismatchException>(() => ModuleFiles.Load(wide, path, options: new LoadOptions { Strict = false }));
        Assert.Contains("proj.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_casts_to_the_parameter_dtype_or_to_the_requested_one()
    {
        using var source = new TinyBlock(bias: true);
        source.InitializeWeights(new Generator(4));
        source.ConvertTo(DType.BFloat16);
        var path = Path.Combine(_folder, "bf16.safetensors");
        await ModuleFiles.SaveAsync(source, path);

        using var f32 = new TinyBlock(bias: true);
        ModuleFiles.Load(f32, path);
        Assert.All(f32.NamedParameters(), p => Assert.Equal(DType.Float32, p.Parameter.Value.DType));

        using var kept = new TinyBlock(bias: true);
        ModuleFiles.Load(kept, path, options: new LoadOptions { DType = DType.BFloat16 });
        Assert.All(kept.NamedParameters(), p => Assert.Equal(DType.BFloat16, p.Parameter.Value.DType));
        Assert.Equal(f32.NamedParameters().First().Parameter.Value.ToFloatArray(), kept.NamedParameters().First().Parameter.Value.ToFloatArray());
    }

    [Fact]
    public void Default_initialisation_is_seeded_and_follows_pytorch_bounds()
    {
        using var a = new TinyBlock(bias: true);
        using var b = new TinyBlock(bias: true);
        a.InitializeWeights(new Generator(11));
        b.InitializeWeights(new Generator(11));
        Assert.Equal(a.StateDict().First().Tensor.Value.ToFloatArray(), b.StateDict().First().Tensor.Value.ToFloatArray());

        var proj = a.StateDict().First().Tensor.Value.ToFloatArray();
        var bound = 1.0 / Math.Sqrt(3);
        Assert.All(proj, w => Assert.InRange(w, -bound, bound));
        Assert.Contains(proj, w => Math.Abs(w) > bound / 4);
        Assert.All(a.StateDict().Single(p => p.Name == "norm.weight").Tensor.Value.ToFloatArray(), w => Assert.Equal(1f, w));
    }

    /// <summary>A block shaped like the real ones: a child linear, a norm, a module list and a buffer.</summary>
    private sealed class TinyBlock : Module
    {
        public TinyBlock(bool bias, int width = 4)
        {
            Child("proj", new Linear(3, width, bias));
            Child("norm", new LayerNorm(width));
            Child("layers", new ModuleList<Linear>([new Linear(width, width, bias), new Linear(width, width, bias)]));
            Buffer("position_ids", Tensor.Arange(4));
        }
    }
}
