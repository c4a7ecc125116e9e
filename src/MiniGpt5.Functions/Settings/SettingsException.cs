namespace MiniGpt5.Functions.Settings;

/// <summary>A setting has a value the app cannot use; the message names the setting and the value (never a secret).</summary>
public sealed class SettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SettingsException()
        : this("A setting is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SettingsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
