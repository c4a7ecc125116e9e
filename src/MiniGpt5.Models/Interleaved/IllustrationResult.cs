using MiniGpt5.Imaging;
using MiniGpt5.Models.Llama.Generation;

namespace MiniGpt5.Models.Interleaved;

/// <summary>
/// The model's response to one step: its text (vokens and "###" removed), the image when it produced [IMG0] (null
/// otherwise: MiniGPT-5 decides by itself whether a response has an image), the exact prompt it was given, why the
/// text ended, and the time per stage.
/// </summary>
public sealed record IllustrationResult(string Text, Image? Image, string Prompt, StopReason StopReason, MiniGpt5Timings Timings);
