using System.Numerics;
using System.Text.Json;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Pickle;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>
/// Every fixture the reference script wrote, read back and compared with what torch.load returned for it:
/// names in order, dtypes, shapes, strides and storage offsets, every value bit for bit (tolerance: none),
/// and which tensors share a storage.
/// </summary>
public sealed class GoldenFixtureTests
{
    public static TheoryData<int, string> TensorFixtures => Golden.Rows("tensors");

    public static TheoryData<int, string> RefusedFixtures => Golden.Rows("refused");

    public static TheoryData<int, string> FormatErrorFixtures => Golden.Rows("format_error");

    [Theory]
    [MemberData(nameof(TensorFixtures))]
    public void Fixture_tensors_match_torch_load(int index, string description)
    {
        var fixture = Golden.Fixture(index);
        using var set = CheckpointSet.Open(Golden.PathOf(fixture.GetProperty("file").GetString()!), Golden.OptionsFor(fixture));
        var expected = fixture.GetProperty("tensors").EnumerateObject().ToList();

        // Pickles keep their dictionary order; safetensors files list tensors in data order, which is their only order.
        var ordered = set.Files.All(f => f is TorchCheckpointFile);
        var expectedNames = expected.Select(e => e.Name).ToList();
        Assert.True(ordered ? expectedNames.SequenceEqual(set.Keys) : expectedNames.Order(StringComparer.Ordinal).SequenceEqual(set.Keys.Order(StringComparer.Ordinal)),
            $"{description}: keys {string.Join(", ", set.Keys)}");
        foreach (var e in expected)
        {
            var tensor = set[e.Name];
            var fromPickle = set.Files.Single(f => f.Tensors.ContainsKey(e.Name)) is TorchCheckpointFile;
            Golden.AssertTensor(tensor, e.Value, checkLayout: fromPickle);
        }

        // Tensors torch reports as sharing a storage share one here too; no others do (within pickles).
        var groups = fixture.GetProperty("shared").EnumerateArray().Select(g => g.EnumerateArray().Select(n => n.GetString()!).ToList()).ToList();
        foreach (var group in groups)
        {
            Assert.All(group, name => Assert.Same(set[group[0]].Storage, set[name].Storage));
        }

        var pickled = set.Files.OfType<TorchCheckpointFile>().SelectMany(f => f.Tensors.Values).ToList();
        var sharing = pickled.GroupBy(t => t.Storage).Where(g => g.Count() > 1).Select(g => g.Select(t => t.Name).Order().ToList()).ToList();
        Assert.Equal(groups.Select(g => g.Order().ToList()).OrderBy(g => g[0]).Select(g => string.Join(",", g)),
            sharing.OrderBy(g => g[0]).Select(g => string.Join(",", g)));

        if (fixture.TryGetProperty("metadata", out var metadata))
        {
            Assert.Equal(metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), set.Metadata);
        }
    }

    [Theory]
    [MemberData(nameof(RefusedFixtures))]
    public void Hostile_or_unsupported_pickles_are_refused_naming_the_global(int index, string description)
    {
        var fixture = Golden.Fixture(index);
        var path = Golden.PathOf(fixture.GetProperty("file").GetString()!);
        var needle = fixture.GetProperty("message_contains").GetString()!;

        var error = Assert.Throws<UnsafePickleException>(() => CheckpointSet.Open(path));

        Assert.Equal(needle, error.GlobalName);
        Assert.Contains(needle, error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(path), error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Theory]
    [MemberData(nameof(FormatErrorFixtures))]
    public void Unsupported_layouts_fail_with_a_format_error(int index, string description)
    {
        var fixture = Golden.Fixture(index);
        var path = Golden.PathOf(fixture.GetProperty("file").GetString()!);

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(path));

        Assert.Contains(fixture.GetProperty("message_contains").GetString()!, error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void Lightning_checkpoint_unwraps_state_dict_and_keeps_the_rest_as_inert_data()
    {
        using var file = TorchCheckpointFile.Open(Golden.PathOf("lightning.ckpt"));

        Assert.Equal("state_dict", file.StateDictPath);
        Assert.Equal(CheckpointFileFormat.TorchZip, file.Format);
        var root = Assert.IsType<PickleDictionary>(file.Root);
        Assert.Equal(3L, root["epoch"]);
        Assert.Equal(120L, root["global_step"]);

        var hparams = Assert.IsType<PickleDictionary>(root["hyper_parameters"]);
        Assert.Equal("pytorch_lightning.utilities.parsing.AttributeDict", hparams.ClassName);
        Assert.Equal(1e-4, hparams["lr"]);
        var args = Assert.IsType<PickleObject>(hparams["args"]);
        Assert.Equal("argparse.Namespace", args.ClassName);
        Assert.Equal("stage1", args.GetAttribute("stage"));
        Assert.Equal(224L, args.GetAttribute("image_size"));
        Assert.Equal(new byte[] { 0, 1, 255 }, hparams["blob"]);
        Assert.Equal([2L, 3L], Assert.IsType<PickleTuple>(hparams["size"]));
        Assert.Equal(2, Assert.IsType<PickleSet>(hparams["stages"]).Count);
        Assert.True(Assert.IsType<PickleSet>(hparams["frozen"]).IsFrozen);

        // Optimizer state uses int keys; its tensors are references that were never mapped.
        var optimizer = Assert.IsType<PickleList>(root["optimizer_states"]);
        var state = Assert.IsType<PickleDictionary>(Assert.IsType<PickleDictionary>(optimizer[0])["state"]);
        Assert.IsType<TorchTensorRef>(Assert.IsType<PickleDictionary>(state[0L])["exp_avg"]);
    }

    [Fact]
    public void OmegaConf_hyper_parameters_are_read_as_inert_objects()
    {
        using var file = TorchCheckpointFile.Open(Golden.PathOf("lightning_omegaconf.ckpt"));

        var root = Assert.IsType<PickleDictionary>(file.Root);
        var config = Assert.IsType<PickleObject>(root["hyper_parameters"]);
        Assert.Equal("omegaconf.dictconfig.DictConfig", config.ClassName);
        var content = Assert.IsType<PickleDictionary>(config.GetAttribute("_content"));
        var seed = Assert.IsType<PickleObject>(content["seed"]);
        Assert.Equal("omegaconf.nodes.AnyNode", seed.ClassName);
        Assert.Equal(42L, seed.GetAttribute("_val"));
        Assert.Equal("omegaconf.dictconfig.DictConfig", Assert.IsType<PickleGlobal>(root["hparams_type"]).FullName);
        Assert.Equal(["w"], file.Tensors.Keys);
    }

    [Fact]
    public void Explicit_key_selects_another_dictionary_and_unknown_keys_list_what_exists()
    {
        var path = Golden.PathOf("lavis.pth");
        using (var model = TorchCheckpointFile.Open(path))
        {
            Assert.Equal("model", model.StateDictPath);
            Assert.Equal(["llama_proj.weight", "llama_proj.bias"], model.Tensors.Keys);
        }

        using (var top = TorchCheckpointFile.Open(path, new CheckpointOpenOptions { StateDictKey = "" }))
        {
            // The whole file flattened: model tensors under "model.", the rest skipped as non-tensors.
            Assert.Equal(["model.llama_proj.weight", "model.llama_proj.bias"], top.Tensors.Keys);
            Assert.Contains("epoch", top.SkippedEntries);
            Assert.Contains("config.run.task", top.SkippedEntries);
        }

        var error = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointFile.Open(path, new CheckpointOpenOptions { StateDictKey = "state_dict" }));
        Assert.Contains("'model'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'optimizer'", error.Message, StringComparison.Ordinal);
        Assert.Equal("state_dict", error.Key);
    }

    [Fact]
    public void Legacy_and_zip_layouts_of_the_same_kind_of_dict_both_read()
    {
        using var legacy = TorchCheckpointFile.Open(Golden.PathOf("legacy_format.pt"));
        using var zip = TorchCheckpointFile.Open(Golden.PathOf("buffer_saved.bin"));

        Assert.Equal(CheckpointFileFormat.TorchLegacy, legacy.Format);
        Assert.Equal(CheckpointFileFormat.TorchZip, zip.Format);
        Assert.Equal(zip.Tensors.Keys, legacy.Tensors.Keys);
        foreach (var name in zip.Tensors.Keys)
        {
            var a = new byte[zip.Tensors[name].ByteLength];
            var b = new byte[legacy.Tensors[name].ByteLength];
            zip.Tensors[name].CopyTo(a);
            legacy.Tensors[name].CopyTo(b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Stored_aligned_records_are_viewed_in_place_and_deflated_ones_are_copied()
    {
        using var mapped = TorchCheckpointFile.Open(Golden.PathOf("plain_f32.pt"));
        using var deflated = TorchCheckpointFile.Open(Golden.PathOf("deflated.pt"));

        Assert.All(mapped.Tensors.Values, t => Assert.False(t.Storage.IsWritable));
        Assert.All(mapped.Tensors.Values, t => Assert.IsType<StorageSlice>(t.Storage));
        Assert.All(deflated.Tensors.Values, t => Assert.IsType<NativeStorage>(t.Storage));
    }

    [Fact]
    public void Checksums_can_be_verified_for_every_record()
    {
        using var file = TorchCheckpointFile.Open(Golden.PathOf("shared_views.pt"), new CheckpointOpenOptions { VerifyChecksums = true });
        Assert.Equal(9, file.Tensors.Count);
    }

    [Fact]
    public void Big_integers_and_pickle_scalars_come_back_exactly()
    {
        using var file = TorchCheckpointFile.Open(Golden.PathOf("plain_dtypes.pt"));
        Assert.Equal([-(1L << 62), 0, 7, 1L << 40, -1, 123456789012], file.Tensors["long"].ToArray<long>());
        Assert.IsNotType<BigInteger>(file.Tensors["long"].Shape[0]);
    }

    [Fact]
    public void Extra_inert_classes_must_be_plain_data_classes()
    {
        Assert.Throws<ArgumentException>(() => TorchCheckpointFile.Open(Golden.PathOf("plain_f32.pt"), new CheckpointOpenOptions { InertClasses = ["os.system"] }));
        Assert.Throws<ArgumentException>(() => TorchCheckpointFile.Open(Golden.PathOf("plain_f32.pt"), new CheckpointOpenOptions { InertClasses = ["NoModule"] }));
    }

    [Fact]
    public void Manifest_lists_every_kind_of_fixture()
    {
        // Guards the theories above against an empty or half-written manifest.
        Assert.True(Golden.Fixtures("tensors").Count() >= 15);
        Assert.True(Golden.Fixtures("refused").Count() >= 8);
        Assert.NotEmpty(Golden.Fixtures("format_error"));
        Assert.Equal(JsonValueKind.Object, Golden.Root.GetProperty("conversions").ValueKind);
    }
}
