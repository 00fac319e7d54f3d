namespace OpenEngage.Server.Cli;

/// <summary>A failure to report in one line, with exit code 1.</summary>
public sealed class CommandLineException(string message) : Exception(message);
