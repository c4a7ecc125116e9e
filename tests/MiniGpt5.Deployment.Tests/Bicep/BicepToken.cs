namespace MiniGpt5.Deployment.Tests.Bicep;

/// <summary>
/// One token. A string token carries its literal parts and, between them, the tokens of each
/// <c>${...}</c> interpolation hole (Parts.Count == Holes.Count + 1).
/// </summary>
internal sealed record BicepToken(
    BicepTokenKind Kind,
    string Text,
    int Line,
    IReadOnlyList<string>? Parts = null,
    IReadOnlyList<IReadOnlyList<BicepToken>>? Holes = null)
{
    public bool IsKeyword(string word) => Kind == BicepTokenKind.Identifier && Text == word;

    public override string ToString() => Kind == BicepTokenKind.NewLine ? "newline" : $"'{Text}'";
}
