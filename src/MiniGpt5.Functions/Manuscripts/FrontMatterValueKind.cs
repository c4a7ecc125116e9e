namespace MiniGpt5.Functions.Manuscripts;

/// <summary>The kinds of value our front-matter subset has (the YAML 1.2 core schema, minus mappings).</summary>
public enum FrontMatterValueKind
{
    /// <summary><c>~</c>, <c>null</c> or nothing after the colon.</summary>
    Null,

    /// <summary><c>true</c> or <c>false</c> (also capitalised or all capitals).</summary>
    Boolean,

    /// <summary>Decimal digits with an optional sign.</summary>
    Integer,

    /// <summary>A decimal number with a point or an exponent.</summary>
    Float,

    /// <summary>Anything else, and every quoted scalar.</summary>
    String,

    /// <summary>A flow list <c>[a, b]</c> or a block list of <c>- item</c> lines.</summary>
    List,
}
