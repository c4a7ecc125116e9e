namespace MiniGpt5.Functions.Books;

/// <summary>A file of the book with its size and content hash.</summary>
/// <param name="Path">Path inside the book folder.</param>
/// <param name="Bytes">Size in bytes.</param>
/// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
public sealed record BookFileEntry(string Path, long Bytes, string Sha256);
