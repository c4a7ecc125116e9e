namespace MiniGpt5.Functions.Books;

/// <summary>
/// The folder a book is written into: <c>illustrated/{manuscriptId}/</c> in blob storage for the
/// <c>AssembleBook</c> activity, a local directory for the CLI. Paths are relative, with '/' separators (see
/// <see cref="BookPath"/>). Implementations make each write atomic: a reader sees the old file or the whole new
/// one, never a part.
/// </summary>
public interface IBookFolder
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="relativePath"/>. With <paramref name="createOnly"/>, an
    /// existing file is left untouched and the call returns false (an activity retried after a crash finds its
    /// earlier output and does not write twice); otherwise the file is replaced. Returns true when written.
    /// </summary>
    Task<bool> WriteFileAsync(string relativePath, ReadOnlyMemory<byte> content, bool createOnly, CancellationToken cancellationToken = default);

    /// <summary>The bytes of <paramref name="relativePath"/>, or null when there is no such file.</summary>
    Task<byte[]?> ReadFileAsync(string relativePath, CancellationToken cancellationToken = default);
}
