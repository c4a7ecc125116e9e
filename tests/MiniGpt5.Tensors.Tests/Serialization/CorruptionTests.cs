using System.IO.Compression;
using MiniGpt5.Tensors.Serialization;
using MiniGpt5.Tensors.Serialization.Pickle;
using MiniGpt5.Tensors.Serialization.Torch;

namespace MiniGpt5.Tensors.Tests.Serialization;

/// <summary>
/// Damaged files fail with a typed error naming the file (and the key when one is at fault), never with
/// an index-out-of-range, an overflow or a crash: files cut at many points, bytes flipped in headers, and
/// the unpickler fed every truncation and many single-byte corruptions of a real Lightning pickle.
/// </summary>
public sealed class CorruptionTests
{
    public static TheoryData<string> Files => ["plain_f32.pt", "legacy_format.pt", "handmade.safetensors", "lightning.ckpt", "shared_views.pt"];

    [Theory]
    [MemberData(nameof(Files))]
    public void Truncated_files_fail_naming_the_file(string name)
    {
        var original = File.ReadAllBytes(Golden.PathOf(name));
        using var temp = new TempFolder();
        var cuts = new long[] { 0, 1, 7, 8, 9, 30, original.Length / 4, original.Length / 2, 3 * original.Length / 4, original.Length - 23, original.Length - 22, original.Length - 1 };
        foreach (var cut in cuts.Where(c => c >= 0 && c < original.Length).Distinct())
        {
            var path = temp.File($"{cut}-{name}");
            File.WriteAllBytes(path, original.AsSpan(0, (int)cut).ToArray());

            var error = Assert.ThrowsAny<CheckpointException>(() => CheckpointSet.Open(path, new CheckpointOpenOptions { VerifyChecksums = true }).Dispose());

            Assert.Equal(path, error.FilePath);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncated_data_names_the_tensor_that_is_cut()
    {
        using var temp = new TempFolder();
        var safetensors = File.ReadAllBytes(Golden.PathOf("handmade.safetensors"));
        var cut = temp.File("cut.safetensors");
        File.WriteAllBytes(cut, safetensors.AsSpan(0, safetensors.Length - 1).ToArray());
        Assert.NotNull(Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(cut)).Key);

        var legacy = File.ReadAllBytes(Golden.PathOf("legacy_format.pt"));
        var cutLegacy = temp.File("cut.pt");
        File.WriteAllBytes(cutLegacy, legacy.AsSpan(0, legacy.Length - 3).ToArray());
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSet.Open(cutLegacy));
        Assert.NotNull(error.Key);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain_f32.pt")]
    [InlineData("legacy_format.pt")]
    [InlineData("handmade.safetensors")]
    public void Flipped_header_bytes_fail_cleanly_or_read_consistently(string name)
    {
        var original = File.ReadAllBytes(Golden.PathOf(name));
        using var temp = new TempFolder();
        var path = temp.File(name);
        File.WriteAllBytes(path, original);
        var detected = 0;
        var positions = HeaderPositions(name, original);
        foreach (var position in positions)
        {
            // Flip one byte in place (rewriting whole files is what would make this test slow).
            Patch(path, position, (byte)(original[position] ^ 0x5A));
            try
            {
                using var set = CheckpointSet.Open(path, new CheckpointOpenOptions { VerifyChecksums = true });
                foreach (var tensor in set.Values)
                {
                    tensor.CopyTo(new byte[tensor.ByteLength]);
                }
            }
            catch (CheckpointException e)
            {
                Assert.Equal(path, e.FilePath);
                detected++;
            }
            finally
            {
                Patch(path, position, original[position]);
            }
        }

        // Most header bytes matter (zip timestamps and version fields do not); the point is that nothing else is thrown.
        Assert.True(detected > positions.Count / 3, $"only {detected} of {positions.Count} flips were detected");
    }

    [Fact]
    public void The_unpickler_survives_every_truncation_and_many_corruptions_of_a_real_pickle()
    {
        var pickle = ReadZipEntry(Golden.PathOf("lightning.ckpt"), "lightning/data.pkl");
        var allowList = new PickleAllowList();
        object? Load(byte[] data)
        {
            var storages = new Dictionary<string, TorchStorageRef>(StringComparer.Ordinal);
            var reader = new PickleReader("lightning.ckpt", "data.pkl", allowList, pid => TorchZipArchive.PersistentLoad(pid, storages));
            var position = 0;
            return reader.Load(data, ref position, CancellationToken.None);
        }

        Assert.IsType<PickleDictionary>(Load(pickle));
        for (var length = 0; length < pickle.Length; length++)
        {
            Assert.ThrowsAny<CheckpointException>(() => Load(pickle[..length]));
        }

        var failures = 0;
        foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (var i = 0; i < pickle.Length; i++)
            {
                var damaged = (byte[])pickle.Clone();
                damaged[i] ^= flip;
                try
                {
                    Load(damaged);
                }
                catch (CheckpointException)
                {
                    failures++;
                }
            }
        }

        Assert.True(failures > 0);
    }

    [Fact]
    public void Deeply_nested_tuples_are_refused_instead_of_overflowing_the_stack()
    {
        // PROTO 2, BININT1 0, then 100000 x TUPLE1, STOP.
        var data = new byte[] { 0x80, 2, 0x4B, 0 }.Concat(Enumerable.Repeat((byte)0x85, 100_000)).Append((byte)'.').ToArray();
        var position = 0;
        var error = Assert.Throws<CheckpointFormatException>(() => new PickleReader("x", "y", new PickleAllowList(), null).Load(data, ref position, CancellationToken.None));
        Assert.Contains("nested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unhashable_keys_and_stray_opcodes_are_format_errors()
    {
        static void Load(byte[] data)
        {
            var position = 0;
            new PickleReader("x", "y", new PickleAllowList(), null).Load(data, ref position, CancellationToken.None);
        }

        // {[]: 1}: EMPTY_DICT, EMPTY_LIST, BININT1 1, SETITEM, STOP
        Assert.Contains("unhashable", Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'}', (byte)']', 0x4B, 1, (byte)'s', (byte)'.'])).Message, StringComparison.Ordinal);
        // A persistent id in a pickle that has no records.
        Assert.Contains("persistent id", Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, 0x4B, 1, (byte)'Q', (byte)'.'])).Message, StringComparison.Ordinal);
        // EXT1 looks a global up through copyreg's registry.
        Assert.Throws<UnsafePickleException>(() => Load([0x80, 2, 0x82, 1, (byte)'.']));
        // Memo read before write.
        Assert.Contains("memo", Assert.Throws<CheckpointFormatException>(() => Load([0x80, 2, (byte)'h', 3, (byte)'.'])).Message, StringComparison.Ordinal);
        // Protocol 6 does not exist yet.
        Assert.Contains("protocol", Assert.Throws<CheckpointFormatException>(() => Load([0x80, 6, (byte)'N', (byte)'.'])).Message, StringComparison.Ordinal);
    }

    private static void Patch(string path, long position, byte value)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, [value], position);
    }

    private static List<int> HeaderPositions(string name, byte[] file)
    {
        if (name.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            var headerLength = (int)BitConverter.ToUInt64(file);
            return Enumerable.Range(0, 8 + headerLength).ToList();
        }

        if (file[0] == (byte)'P')
        {
            // The zip's bookkeeping: every local header (30 bytes + name) and the whole central directory.
            var positions = new List<int>();
            var eocd = file.Length - 22;
            var directory = BitConverter.ToInt32(file, eocd + 16);
            positions.AddRange(Enumerable.Range(directory, file.Length - directory));
            for (var p = 0; p < directory - 4; p++)
            {
                if (file[p] == 'P' && file[p + 1] == 'K' && file[p + 2] == 3 && file[p + 3] == 4)
                {
                    positions.AddRange(Enumerable.Range(p, 30 + BitConverter.ToUInt16(file, p + 26)));
                }
            }

            return positions;
        }

        // Legacy: the pickles before the raw storages (the first ~400 bytes of this small file).
        return Enumerable.Range(0, Math.Min(400, file.Length)).ToList();
    }

    private static byte[] ReadZipEntry(string path, string entry)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
