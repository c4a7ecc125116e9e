using System.Text.Json;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Safetensors;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>Pickles (and folders) converted to safetensors hold exactly the values torch.load gave.</summary>
public sealed class ConverterTests
{
    public static TheoryData<int, string> TensorFixtures => Golden.Rows("tensors");

    [Theory]
    [MemberData(nameof(TensorFixtures))]
    public async Task Every_fixture_converts_to_safetensors_with_the_same_values(int index, string description)
    {
        var fixture = Golden.Fixture(index);
        using var temp = new TempFolder();
        var output = temp.File("out.safetensors");
        using (var source = CheckpointSet.Open(Golden.PathOf(fixture.GetProperty("file").GetString()!), Golden.OptionsFor(fixture)))
        {
            var result = await SafetensorsConverter.ConvertAsync(source, output);
            Assert.Equal(source.Count, result.TensorCount);
        }

        using var converted = SafetensorsFile.Open(output);
        Assert.Equal("pt", converted.Metadata["format"]);
        var expected = fixture.GetProperty("tensors").EnumerateObject().ToList();
        Assert.Equal(expected.Count, converted.Tensors.Count);
        foreach (var e in expected)
        {
            var tensor = converted.Tensors[e.Name];
            Assert.True(tensor.IsContiguous, description);
            Golden.AssertTensor(tensor, e.Value, checkLayout: false);
        }
    }

    [Theory]
    [InlineData(DType.Float16, "float16")]
    [InlineData(DType.BFloat16, "bfloat16")]
    public async Task Float_tensors_are_converted_as_torch_converts_them(DType dtype, string name)
    {
        using var temp = new TempFolder();
        var output = temp.File("half.safetensors");
        using (var source = CheckpointSet.Open(Golden.PathOf("plain_f32.pt")))
        {
            var result = await SafetensorsConverter.ConvertAsync(source, output, dtype);
            Assert.Equal(5, result.ConvertedTensors);
        }

        using var converted = SafetensorsFile.Open(output);
        foreach (var e in Golden.Root.GetProperty("conversions").GetProperty("plain_f32.pt").GetProperty(name).EnumerateObject())
        {
            Assert.Equal(dtype, converted.Tensors[e.Name].DType);
            Golden.AssertValues(converted.Tensors[e.Name], e.Value);
        }
    }

    [Fact]
    public async Task Integer_and_bool_tensors_keep_their_dtype_when_floats_are_converted()
    {
        using var temp = new TempFolder();
        var output = temp.File("mixed.safetensors");
        using (var source = CheckpointSet.Open(Golden.PathOf("plain_dtypes.pt")))
        {
            await SafetensorsConverter.ConvertAsync(source, output, DType.BFloat16);
        }

        using var converted = SafetensorsFile.Open(output);
        Assert.Equal(DType.Int64, converted.Tensors["long"].DType);
        Assert.Equal(DType.Bool, converted.Tensors["mask"].DType);
        Assert.Equal(DType.BFloat16, converted.Tensors["half"].DType);
        Assert.Equal(DType.BFloat16, converted.Tensors["double"].DType);
    }

    [Fact]
    public async Task Shared_storages_and_views_are_materialised_one_copy_per_key()
    {
        using var temp = new TempFolder();
        var output = temp.File("views.safetensors");
        using var source = CheckpointSet.Open(Golden.PathOf("shared_views.pt"));

        var result = await SafetensorsConverter.ConvertAsync(source, output);

        Assert.Equal(3, result.MaterializedViews); // transposed, block, every_other_column
        Assert.Equal(9, result.SharedStorageTensors); // all of them share one of three storages
        using var converted = SafetensorsFile.Open(output);
        Assert.Equal([12f, 13, 14, 15, 16, 17], converted.Tensors["row"].ToArray<float>());
        Assert.Equal([8f, 9, 10, 14, 15, 16], converted.Tensors["block"].ToArray<float>());
        Assert.Equal(source["tied_a"].ToArray<float>(), converted.Tensors["tied_b"].ToArray<float>());
    }

    [Fact]
    public async Task Existing_outputs_are_kept_unless_overwrite_is_asked_for()
    {
        using var temp = new TempFolder();
        var output = temp.File("out.safetensors");
        await File.WriteAllTextAsync(output, "precious");
        using var source = CheckpointSet.Open(Golden.PathOf("plain_f32.pt"));

        await Assert.ThrowsAsync<IOException>(() => SafetensorsConverter.ConvertAsync(source, output));
        Assert.Equal("precious", await File.ReadAllTextAsync(output));

        await SafetensorsConverter.ConvertAsync(source, output, overwrite: true);
        using var converted = SafetensorsFile.Open(output);
        Assert.Equal(5, converted.Tensors.Count);
    }

    [Fact]
    public async Task A_cancelled_conversion_leaves_no_file_behind()
    {
        using var temp = new TempFolder();
        var output = temp.File("out.safetensors");
        using var source = CheckpointSet.Open(Golden.PathOf("plain_f32.pt"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SafetensorsConverter.ConvertAsync(source, output, cancellationToken: cancelled.Token));

        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task A_failing_source_leaves_no_file_behind_and_the_old_output_intact()
    {
        using var temp = new TempFolder();
        var output = temp.File("out.safetensors");
        await File.WriteAllTextAsync(output, "old");
        var failing = new SafetensorsWriteEntry("boom", DType.Float32, [4], (_, _) => throw new IOException("disk said no"));

        await Assert.ThrowsAsync<IOException>(() => SafetensorsWriter.WriteFileAsync(output, [failing], overwrite: true));

        Assert.Equal("old", await File.ReadAllTextAsync(output));
        Assert.Equal([output], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Converting_onto_an_input_file_is_refused()
    {
        using var temp = new TempFolder();
        var input = temp.File("model.safetensors");
        File.Copy(Golden.PathOf("handmade.safetensors"), input);
        using var source = CheckpointSet.Open(input);

        await Assert.ThrowsAsync<IOException>(() => SafetensorsConverter.ConvertAsync(source, input, overwrite: true));
        await Assert.ThrowsAsync<ArgumentException>(() => SafetensorsConverter.ConvertAsync(source, temp.File("x.safetensors"), DType.Int64));
    }

    [Fact]
    public async Task Progress_reports_reach_the_total_data_size()
    {
        using var temp = new TempFolder();
        using var source = CheckpointSet.Open(Golden.PathOf("plain_dtypes.pt"));
        var reports = new List<long>();
        var result = await SafetensorsConverter.ConvertAsync(source, temp.File("p.safetensors"), progress: new SynchronousProgress(reports.Add));

        Assert.Equal(result.DataBytes, reports[^1]);
        Assert.True(reports.SequenceEqual(reports.Order()));
        Assert.Equal(JsonValueKind.Array, Golden.Root.GetProperty("fixtures").ValueKind);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
