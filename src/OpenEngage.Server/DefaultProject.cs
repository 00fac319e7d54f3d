using System.Security.Cryptography;
using System.Text.Json;
using OpenEngage.Projects;

namespace OpenEngage.Server;

/// <summary>
/// With no project configured, the server creates one on first start and keeps it in the data
/// directory (<c>project.json</c>), so a server started with no configuration works at once.
/// </summary>
public static class DefaultProject
{
    public const string FileName = "project.json";

    private static readonly JsonSerializerOptions FileFormat = new() { WriteIndented = true };

    /// <summary>The project kept in <paramref name="dataDirectory"/>, or null when none is: never creates one.</summary>
    public static ProjectOptions? TryLoad(string dataDirectory)
    {
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<ProjectOptions>(File.ReadAllText(path)) ?? throw new InvalidOperationException($"{path} does not hold a project.")
            : null;
    }

    /// <summary>Loads the kept project, or creates and keeps a new one. <paramref name="created"/> tells which.</summary>
    public static ProjectOptions LoadOrCreate(string dataDirectory, out bool created)
    {
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            created = false;
            return JsonSerializer.Deserialize<ProjectOptions>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} does not hold a project.");
        }

        Directory.CreateDirectory(dataDirectory);
        var project = new ProjectOptions
        {
            Name = "default",
            Token = RandomNumberGenerator.GetHexString(32, lowercase: true),
            ApiSecret = RandomNumberGenerator.GetHexString(32, lowercase: true),
        };
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, project, FileFormat);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        created = true;
        return project;
    }
}
