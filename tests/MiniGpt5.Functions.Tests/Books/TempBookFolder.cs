using MiniGpt5.Functions.Books;

namespace MiniGpt5.Functions.Tests.Books;

/// <summary>A <see cref="LocalBookFolder"/> in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempBookFolder : IDisposable
{
    public TempBookFolder()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("minigpt5-book-");
        Folder = new LocalBookFolder(Directory.FullName);
    }

    public DirectoryInfo Directory { get; }

    public LocalBookFolder Folder { get; }

    public string PathOf(string relative) => Folder.FullPath(relative);

    public byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public string Text(string relative) => File.ReadAllText(PathOf(relative));

    public void Dispose() => Directory.Delete(recursive: true);
}
