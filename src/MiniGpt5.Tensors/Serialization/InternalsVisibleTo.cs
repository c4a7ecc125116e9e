using System.Runtime.CompilerServices;

// The serialization tests drive the restricted unpickler and the zip reader directly (fuzzing them with
// corrupted bytes), which are internal.
[assembly: InternalsVisibleTo("MiniGpt5.Tensors.Tests")]
