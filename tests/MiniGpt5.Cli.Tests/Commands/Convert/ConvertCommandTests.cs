using MiniGpt5.Cli;
using MiniGpt5.Testing;

namespace MiniGpt5.Cli.Tests.Commands.Convert;

/// <summary>`minigpt5 convert` end to end through Program.Main: exit codes and what lands on disk.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "minigpt5-convert-" + Guid.NewGuid().ToString("N"));

    public ConvertCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Converts_a_lightning_checkpoint_and_refuses_to_overwrite_without_force()
    {
        var input = RepoPaths.GoldenFile("checkpoints", "lightning.ckpt");
        var output = Path.Combine(_folder, "out.safetensors");

        Assert.Equal(0, await Program.Main(["convert", input, output, "--dtype", "bf16"]));
        var written = await File.ReadAllBytesAsync(output);
        Assert.Contains("\"BF16\"", System.Text.Encoding.UTF8.GetString(written), StringComparison.Ordinal);

        Assert.Equal(2, await Program.Main(["convert", input, output]));
        Assert.Equal(written, await File.ReadAllBytesAsync(output));
        Assert.Equal(0, await Program.Main(["convert", input, output, "--force", "--dtype", "keep"]));
        Assert.NotEqual(written.Length, new FileInfo(output).Length);
    }

    [Fact]
    public async Task Hostile_and_missing_inputs_fail_with_exit_code_2_and_write_nothing()
    {
        var output = Path.Combine(_folder, "out.safetensors");

        Assert.Equal(2, await Program.Main(["convert", RepoPaths.GoldenFile("checkpoints", "hostile_os_system.pt"), output]));
        Assert.Equal(2, await Program.Main(["convert", Path.Combine(_folder, "missing.pt"), output]));
        Assert.Equal(2, await Program.Main(["convert", RepoPaths.GoldenFile("checkpoints", "lavis.pth"), output, "--key", "nope"]));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }
}
