namespace MiniGpt5.Functions.Books;

/// <summary>
/// The book's CSS. System fonts only (no downloads), one readable column that fills a phone and stops at about
/// 40em on wide screens, images as wide as the column, a dark scheme for dark-mode phones. The text holds no
/// '&amp;' or '&lt;', so it is valid inside XHTML without CDATA.
/// </summary>
internal static class BookStyles
{
    /// <summary>For index.html.</summary>
    public const string Html = """
        :root { color-scheme: light dark; --paper: #fbf8f1; --ink: #1f1d1a; --muted: #6b665d; --accent: #a63f1c; --rule: #e3dccf; --card: #ffffff; }
        @media (prefers-color-scheme: dark) {
          :root { --paper: #1b1a18; --ink: #ece7dd; --muted: #a59f94; --accent: #f08a5d; --rule: #3a3732; --card: #25231f; }
        }
        *, *::before, *::after { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
        body { margin: 0; background: var(--paper); color: var(--ink); font-family: Georgia, "Iowan Old Style", "Palatino Linotype", Palatino, "Times New Roman", serif; font-size: 1.125rem; line-height: 1.6; }
        .book { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
        .title-page { text-align: center; padding: 1.5rem 0 1.25rem; margin-bottom: 1.5rem; border-bottom: 1px solid var(--rule); }
        .title-page h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; overflow-wrap: anywhere; }
        .author { margin: 0; font-style: italic; color: var(--muted); }
        .description { margin: .75rem 0 0; color: var(--muted); }
        .toc { margin: 0 0 2rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 1rem; }
        .toc h2 { font-size: 1rem; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0 0 .5rem; }
        .toc ol { margin: 0; padding-left: 1.5rem; }
        .chapter > h2 { font-size: 1.5rem; line-height: 1.3; margin: 2.5rem 0 1rem; color: var(--accent); }
        .step { margin: 0 0 2.25rem; }
        .step h3 { font-size: 1.2rem; margin: 0 0 .5rem; }
        .step figure { margin: 0 0 .75rem; }
        .step img { display: block; width: 100%; height: auto; border-radius: .5rem; background: var(--card); box-shadow: 0 1px 4px rgba(0, 0, 0, .18); }
        .step p { margin: 0 0 .75rem; }
        .placeholder { aspect-ratio: 1 / 1; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .5rem; padding: 1.5rem; text-align: center; border: 2px dashed var(--rule); border-radius: .5rem; color: var(--muted); background: repeating-linear-gradient(135deg, transparent 0 14px, rgba(127, 127, 127, .07) 14px 28px); font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        .placeholder strong { font-size: 1rem; color: var(--ink); }
        .placeholder small { font-size: .85rem; max-width: 26rem; overflow-wrap: anywhere; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--card); padding: .75rem; border-radius: .375rem; font-size: .9rem; }
        a { color: var(--accent); }
        .colophon { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: .85rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        @media (min-width: 48rem) { body { font-size: 1.1875rem; } .book { padding-top: 3rem; } }
        """;

    /// <summary>For the EPUB: simpler, since reading systems apply their own fonts, margins and night modes.</summary>
    public const string Epub = """
        body { margin: 0 5%; line-height: 1.5; }
        h1.title { text-align: center; margin: 3em 0 .5em; }
        p.author { text-align: center; font-style: italic; }
        p.description { text-align: center; }
        h2 { margin: 1.5em 0 1em; }
        h3 { margin: 0 0 .5em; }
        div.step { margin: 0 0 2em; }
        div.figure { margin: 0 0 .75em; text-align: center; }
        div.figure img { max-width: 100%; height: auto; }
        div.placeholder { margin: 0 0 .75em; padding: 2em 1em; text-align: center; border: 2px dashed #999999; color: #666666; }
        div.placeholder small { display: block; margin-top: .5em; font-size: .85em; }
        div.cover { text-align: center; margin: 0; padding: 0; }
        div.cover img { max-width: 100%; max-height: 100%; }
        pre { white-space: pre-wrap; }
        p.colophon { margin-top: 3em; font-size: .85em; color: #666666; }
        """;
}
