using MiniGpt5.Tensors;

namespace MiniGpt5.Cli.Commands.Txt2Img;

/// <summary>The txt2img arguments.</summary>
internal sealed record Txt2ImgArguments(
    string Model,
    string Prompt,
    string? Negative,
    int Steps,
    double Guidance,
    ulong Seed,
    string? Scheduler,
    int? Width,
    int? Height,
    DType WeightDType,
    double Eta,
    string Output,
    bool Force,
    bool Json);
