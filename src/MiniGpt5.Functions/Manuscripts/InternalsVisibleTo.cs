using System.Runtime.CompilerServices;

// The inline Markdown parser and the option binder are internal; their edge cases are tested directly.
[assembly: InternalsVisibleTo("MiniGpt5.Functions.Tests")]
