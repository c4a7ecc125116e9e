namespace MiniGpt5.Functions.Http;

/// <summary>A manuscript as it arrived over HTTP: its file name, bytes, and the option fields sent beside it.</summary>
/// <param name="Name">File name; its extension picks the format.</param>
/// <param name="Content">The bytes.</param>
/// <param name="Options">Option fields (query parameters or multipart form fields), each with its values.</param>
public sealed record ManuscriptUpload(string Name, ReadOnlyMemory<byte> Content, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Options);
