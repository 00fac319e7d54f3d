using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace OpenEngage.Server.Cli;

/// <summary>Turns a failure to start (or to open the store for a verb) into one line for a person.</summary>
internal static class StartupFailure
{
    public static string Describe(Exception exception)
    {
        return OneLine(exception switch
        {
            AggregateException aggregate => string.Join("; ", aggregate.Flatten().InnerExceptions.Select(Describe)),
            OptionsValidationException invalid => "invalid settings: " + string.Join(" ", invalid.Failures.Select(Failure)),
            IOException when Has<AddressInUseException>(exception) || Has<SocketException>(exception, s => s.SocketErrorCode == SocketError.AddressAlreadyInUse) =>
                exception.Message + " Is another server running there? Choose another address with --urls=http://127.0.0.1:<port>.",
            InvalidOperationException when exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => exception.Message,
            _ => Messages(exception),
        });
    }

    /// <summary>A data-annotation failure without the validator's preamble when it names the setting itself.</summary>
    private static string Failure(string failure)
    {
        const string Marker = "with the error: '";
        var at = failure.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return failure;
        }

        var message = failure[(at + Marker.Length)..];
        return message.EndsWith("'.", StringComparison.Ordinal) ? message[..^2] : message;
    }

    /// <summary>The messages of the exception and its causes, each once.</summary>
    private static string Messages(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.Trim().TrimEnd('.');
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages) + ".";
    }

    private static bool Has<T>(Exception exception, Func<T, bool>? test = null)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found && (test is null || test(found)))
            {
                return true;
            }
        }

        return false;
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
