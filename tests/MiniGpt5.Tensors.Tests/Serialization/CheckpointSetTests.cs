using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Tests.Serialization;

public sealed class CheckpointSetTests
{
    [Fact]
    public void Folders_resolve_to_their_index_or_single_weights_file()
    {
        using (var bin = CheckpointSet.Open(Golden.PathOf("hf_sharded")))
        {
            Assert.Equal(2, bin.Files.Count);
            Assert.All(bin.Files, f => Assert.IsType<TorchCheckpointFile>(f));
            Assert.NotNull(bin.Index);
            Assert.Equal(5, bin.Count);
        }

        using (var st = CheckpointSet.Open(Golden.PathOf("hf_sharded_safetensors")))
        {
            Assert.All(st.Files, f => Assert.IsType<SafetensorsFile>(f));
            Assert.Equal("pt", st.Metadata["format"]);
        }

        using (var index = CheckpointSet.Open(Golden.PathOf("hf_sharded/pytorch_model.bin.index.json")))
        {
            Assert.Equal(5, index.Count);
        }

        using (var vae = CheckpointSet.Open(Golden.PathOf("diffusers/vae")))
        {
            Assert.IsType<TorchCheckpointFile>(Assert.Single(vae.Files));
        }
    }

    [Fact]
    public void Variants_pick_the_suffixed_weights()
    {
        using var full = CheckpointSet.Open(Golden.PathOf("diffusers/unet"));
        using var half = CheckpointSet.Open(Golden.PathOf("diffusers/unet"), new CheckpointOpenOptions { Variant = "fp16" });

        Assert.EndsWith("diffusion_pytorch_model.safetensors", full.Files[0].FilePath, StringComparison.Ordinal);
        Assert.EndsWith("diffusion_pytorch_model.fp16.safetensors", half.Files[0].FilePath, StringComparison.Ordinal);
        Assert.Equal(DType.Float16, half["conv_in.weight"].DType);
        Assert.Equal("model.fp16.safetensors", CheckpointSet.AddVariant("model.safetensors", "fp16"));
        Assert.Equal("diffusion_pytorch_model.safetensors.index.fp16.json", CheckpointSet.AddVariant("diffusion_pytorch_model.safetensors.index.json", "fp16"));
    }

    [Fact]
    public void A_pipeline_root_names_its_component_folders()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(Golden.PathOf("diffusers")));
        Assert.Contains("unet, vae", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_and_shards_must_agree()
    {
        using var temp = new TempFolder();
        foreach (var file in Directory.GetFiles(Golden.PathOf("hf_sharded")))
        {
            File.Copy(file, temp.File(Path.GetFileName(file)));
        }

        var indexPath = temp.File("pytorch_model.bin.index.json");
        var original = File.ReadAllText(indexPath);

        File.WriteAllText(indexPath, original.Replace("\"lm_head.weight\": \"pytorch_model-00002-of-00002.bin\"", "\"lm_head.weight\": \"pytorch_model-00001-of-00002.bin\"", StringComparison.Ordinal));
        var misplaced = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path));
        Assert.Equal("lm_head.weight", misplaced.Key);

        File.WriteAllText(indexPath, original.Replace("\"lm_head.weight\"", "\"lm_head.bias\"", StringComparison.Ordinal));
        var missing = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path));
        Assert.Equal("lm_head.bias", missing.Key);
        Assert.Contains("does not have it", missing.Message, StringComparison.Ordinal);

        File.WriteAllText(indexPath, original.Replace("pytorch_model-00002-of-00002.bin", "../../etc/passwd", StringComparison.Ordinal));
        Assert.Contains("plain file name", Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path)).Message, StringComparison.Ordinal);

        File.Delete(temp.File("pytorch_model-00002-of-00002.bin"));
        File.WriteAllText(indexPath, original);
        Assert.Contains("does not exist", Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_file_lists_refuse_overlapping_keys()
    {
        var shard = Golden.PathOf("hf_sharded/pytorch_model-00001-of-00002.bin");
        var same = Golden.PathOf("hf_sharded_safetensors/model-00001-of-00002.safetensors");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open([shard, same]));

        Assert.Equal("model.embed_tokens.weight", error.Key);
        Assert.Contains(shard, error.Message, StringComparison.Ordinal);
        Assert.Contains(same, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ambiguous_or_empty_folders_say_what_they_found()
    {
        using var temp = new TempFolder();
        Assert.Contains("holds no checkpoint", Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path)).Message, StringComparison.Ordinal);

        File.Copy(Golden.PathOf("plain_f32.pt"), temp.File("a.pt"));
        using (var single = CheckpointSet.Open(temp.Path))
        {
            Assert.Equal(5, single.Count);
        }

        File.Copy(Golden.PathOf("lavis.pth"), temp.File("b.pth"));
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(temp.Path));
        Assert.Contains("a.pt, b.pth", error.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => CheckpointSet.Open(temp.File("nope.bin")));
    }

    [Fact]
    public void Formats_are_recognised_by_content_not_extension()
    {
        using var temp = new TempFolder();
        var disguised = temp.File("weights.bin");
        File.Copy(Golden.PathOf("handmade.safetensors"), disguised);
        using var set = CheckpointSet.Open(disguised);
        Assert.IsType<SafetensorsFile>(Assert.Single(set.Files));

        var text = temp.File("notes.pt");
        File.WriteAllText(text, "hello, not a checkpoint");
        Assert.Contains("not a PyTorch checkpoint", Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(text)).Message, StringComparison.Ordinal);

        Assert.Equal(CheckpointFileFormat.TorchLegacy, CheckpointFormatDetector.Detect(Golden.PathOf("legacy_format.pt")));
        Assert.Equal(CheckpointFileFormat.TorchZip, CheckpointFormatDetector.Detect(Golden.PathOf("lightning.ckpt")));
        Assert.Equal(CheckpointFileFormat.Safetensors, CheckpointFormatDetector.Detect(Golden.PathOf("handmade.safetensors")));
    }

    [Fact]
    public void Tensors_outlive_their_checkpoint_only_through_their_own_reference()
    {
        CheckpointTensor kept;
        CheckpointTensor dropped;
        using (var set = CheckpointSet.Open(Golden.PathOf("shared_views.pt")))
        {
            kept = set["transposed"];
            dropped = set["tied_a"];
            kept.Storage.Retain();
        }

        // The mapping stays alive for the retained view, and reads the same values.
        Assert.Equal([0f, 6, 12, 18, 1, 7, 13, 19, 2, 8, 14, 20, 3, 9, 15, 21, 4, 10, 16, 22, 5, 11, 17, 23], kept.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => dropped.ToArray<float>());
        kept.Storage.Release();
        Assert.Equal(0, kept.Storage.ReferenceCount);
        Assert.Throws<ObjectDisposedException>(() => kept.ToArray<float>());
    }
}
