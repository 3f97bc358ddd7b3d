namespace DipDefense;

/// <summary>Messages of argument errors that another error quotes.</summary>
internal static class ArgumentErrors
{
    /// <summary>
    /// The message of <paramref name="error"/> without the " (Parameter 'name')" that <see cref="ArgumentException"/>
    /// appends: an error that wraps it names its own parameter, so quoting the whole message would name one twice
    /// ("… (Parameter 'options') (Parameter 'options')").
    /// </summary>
    /// <param name="error">The wrapped error.</param>
    public static string MessageOf(ArgumentException error)
    {
        string message = error.Message;
        if (string.IsNullOrEmpty(error.ParamName))
            return message;
        // The suffix as this runtime's culture writes it: an empty message with the same parameter name.
        string suffix = new ArgumentException(string.Empty, error.ParamName).Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
