namespace MiniGpt5.Text;

/// <summary>
/// A token matched whole in the text before the model sees it (transformers' AddedToken).
/// </summary>
/// <param name="Content">The exact text of the token.</param>
/// <param name="Id">Its id (past the base vocabulary for tokens added to it).</param>
/// <param name="StripLeft">Whitespace just before the token is removed (transformers' <c>lstrip</c>).</param>
/// <param name="StripRight">Whitespace just after the token is removed (transformers' <c>rstrip</c>).</param>
/// <param name="Special">A special token (skipped by <c>skipSpecialTokens</c> when decoding).</param>
public sealed record AddedToken(string Content, int Id, bool StripLeft, bool StripRight, bool Special);
