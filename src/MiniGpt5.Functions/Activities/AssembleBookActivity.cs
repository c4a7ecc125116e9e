using MiniGpt5.Durable;
using MiniGpt5.Functions.Books;
using MiniGpt5.Storage;

namespace MiniGpt5.Functions.Activities;

/// <summary>
/// Writes the book (index.html, book.md, book.epub, manifest.json last) into its blob folder with
/// <see cref="BookAssembler"/>. The inputs fix every byte (including the creation time), so a retry rewrites the same files.
/// </summary>
public sealed class AssembleBookActivity(IBlobStore blobs) : IActivity<AssembleBookInput, BookAssemblyResult>
{
    /// <inheritdoc />
    public Task<BookAssemblyResult> RunAsync(ActivityContext context, AssembleBookInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var folder = new BlobBookFolder(blobs, input.Book);
        var createdAt = new DateTimeOffset(DateTime.SpecifyKind(input.CreatedAt, DateTimeKind.Utc));
        return BookAssembler.AssembleAsync(input.Plan, input.Results, folder, new BookAssemblyOptions { CreatedAt = createdAt }, context.CancellationToken);
    }
}
