namespace MiniGpt5.Training.NanoWorld;

/// <summary>One coloured shape of a scene.</summary>
/// <param name="Kind">Outline.</param>
/// <param name="Color">Fill colour.</param>
/// <param name="Size">Small or big.</param>
/// <param name="Cell">Grid cell it is centred in.</param>
public sealed record NanoObject(ShapeKind Kind, ShapeColor Color, ShapeSize Size, GridCell Cell)
{
    /// <summary>The attributes a caption groups by: objects with equal looks are written as one phrase with a count.</summary>
    public (ShapeKind Kind, ShapeColor Color, ShapeSize Size) Looks => (Kind, Color, Size);

    /// <summary>E.g. "big red circle at middle right".</summary>
    public override string ToString() =>
        $"{NanoVocabulary.SizeWord(Size)} {NanoVocabulary.ColorWord(Color)} {NanoVocabulary.KindWord(Kind)} at {Cell}";
}
