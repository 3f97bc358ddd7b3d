using System.CommandLine;
using System.IO;
using System.Text.RegularExpressions;

namespace DipDefense.Cli;

/// <summary>
/// Runs the parsed command and turns failures into the tool's exit codes: 0 success, 2 bad input
/// (one line on stderr, no stack trace), 1 anything unexpected (one line; DIPDEFENSE_TRACE=1 adds the trace).
/// </summary>
internal static class CommandRunner
{
    public const int BadInput = 2;

    public static int Invoke(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"dipdefense: {OneLine(parsed.Errors[0].Message)} (see --help)");
            return BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"dipdefense: {OneLine(WithoutParameterNames(e.Message))}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"dipdefense: internal error: {OneLine(e.Message)}");
            if (Environment.GetEnvironmentVariable("DIPDEFENSE_TRACE") == "1")
                Console.Error.WriteLine(e);
            return 1;
        }
    }

    static bool IsBadInput(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or ArgumentException or NotSupportedException;

    // ArgumentException appends " (Parameter 'options')", the library method's argument: it names nothing a
    // command-line user gave, the option and its value are already in the message.
    static string WithoutParameterNames(string message) => Regex.Replace(message, @" \(Parameter '[^']*'\)", "");

    static string OneLine(string message) =>
        string.Join(" ", message.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
