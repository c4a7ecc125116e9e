using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Tests.Books;

public sealed class LocalBookFolderTests
{
    [Fact]
    public async Task Writes_reads_and_replaces_atomically_leaving_no_temp_files()
    {
        using var temp = new TempBookFolder();
        Assert.True(await temp.Folder.WriteFileAsync("steps/001.json", "one"u8.ToArray(), createOnly: false));
        Assert.True(await temp.Folder.WriteFileAsync("steps/001.json", "two"u8.ToArray(), createOnly: false));
        Assert.Equal("two"u8.ToArray(), await temp.Folder.ReadFileAsync("steps/001.json"));
        Assert.Null(await temp.Folder.ReadFileAsync("steps/002.json"));
        Assert.Null(await temp.Folder.ReadFileAsync("nowhere/002.json"));
        Assert.Equal(["001.json"], Directory.GetFiles(temp.PathOf("steps")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Create_only_never_replaces()
    {
        using var temp = new TempBookFolder();
        Assert.True(await temp.Folder.WriteFileAsync("steps/001.png", "first"u8.ToArray(), createOnly: true));
        Assert.False(await temp.Folder.WriteFileAsync("steps/001.png", "second"u8.ToArray(), createOnly: true));
        Assert.Equal("first", temp.Text("steps/001.png"));
        Assert.Single(Directory.GetFiles(temp.PathOf("steps")));
    }

    [Fact]
    public async Task Racing_create_only_writers_create_the_file_once()
    {
        // Many rounds, because a check-then-rename race loses only now and then (it once let 6 of 16 through).
        using var temp = new TempBookFolder();
        for (var round = 0; round < 100; round++)
        {
            var path = $"steps/{round:D3}.png";
            using var start = new Barrier(16);
            // Own threads, not the pool: 16 blocked pool threads on 2 cores would wait seconds for pool growth.
            var writers = Enumerable.Range(0, 16)
                .Select(i => Task.Factory.StartNew(
                    () =>
                    {
                        start.SignalAndWait();
                        return temp.Folder.WriteFileAsync(path, new byte[4096].Select(_ => (byte)i).ToArray(), createOnly: true).GetAwaiter().GetResult();
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default))
                .ToArray();
            var outcomes = await Task.WhenAll(writers);
            Assert.Single(outcomes, written => written);
            var winner = Array.IndexOf(outcomes, true);
            Assert.All(temp.Bytes(path), b => Assert.Equal(winner, b));
            Assert.Equal(round + 1, Directory.GetFiles(temp.PathOf("steps")).Length);
        }
    }

    [Theory]
    [InlineData("../escape.png")]
    [InlineData("/abs/path.png")]
    [InlineData("steps//001.png")]
    [InlineData("steps/")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("steps/./001.png")]
    [InlineData("steps\\001.png")]
    [InlineData("steps/0 1.png")]
    [InlineData("steps/é.png")]
    public async Task Paths_outside_the_rules_are_refused(string path)
    {
        using var temp = new TempBookFolder();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => temp.Folder.WriteFileAsync(path, "x"u8.ToArray(), createOnly: false));
        Assert.Contains("Book path", ex.Message, StringComparison.Ordinal);
        Assert.False(BookPath.IsValid(path));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Directory.FullName));
    }

    [Fact]
    public void Valid_paths()
    {
        Assert.True(BookPath.IsValid("index.html"));
        Assert.True(BookPath.IsValid("steps/001.png"));
        Assert.True(BookPath.IsValid("a/b-c/d_e.f.json"));
        Assert.False(BookPath.IsValid(new string('a', BookPath.MaxLength + 1)));
    }

    [Fact]
    public async Task Cancellation_leaves_nothing_behind()
    {
        using var temp = new TempBookFolder();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            temp.Folder.WriteFileAsync("steps/001.png", new byte[1 << 20], createOnly: false, cancelled.Token));
        Assert.False(File.Exists(temp.PathOf("steps/001.png")));
        Assert.Empty(Directory.GetFiles(temp.PathOf("steps")));
    }
}
