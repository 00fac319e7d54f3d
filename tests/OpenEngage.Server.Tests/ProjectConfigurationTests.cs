namespace OpenEngage.Server.Tests;

/// <summary>Projects from configuration, and the project a server without configuration creates and keeps.</summary>
public sealed class ProjectConfigurationTests
{
    [Fact]
    public async Task Without_configured_projects_the_first_start_creates_one_and_keeps_it()
    {
        var directory = Directory.CreateTempSubdirectory("openengage-project-").FullName;
        try
        {
            Assert.False(File.Exists(Path.Combine(directory, DefaultProject.FileName)));
            await using (var first = await RunningServer.StartAsync(withProjects: false, directory))
            {
                Assert.True(File.Exists(Path.Combine(directory, DefaultProject.FileName)));
                var kept = DefaultProject.LoadOrCreate(directory, out var created);
                Assert.False(created);
                Assert.Equal(32, kept.Token.Length);
                Assert.NotEqual(kept.Token, kept.ApiSecret);
                var (status, body, _) = await first.PostJsonAsync($$$"""{"$token":"{{{kept.Token}}}","$distinct_id":"u1","$set":{"plan":"pro"}}""");
                Assert.Equal((200, "1"), (status, body));
            }

            var project = DefaultProject.LoadOrCreate(directory, out _);
            await using var second = await RunningServer.StartAsync(withProjects: false, directory);
            Assert.Equal("pro", (string?)(await second.ProfileAsync("u1", project.ApiSecret))!["plan"]);
            var (_, again, _) = await second.PostJsonAsync($$$"""{"$token":"{{{project.Token}}}","$distinct_id":"u2","$set":{"plan":"free"}}""");
            Assert.Equal("1", again);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_token_of_a_configured_project_is_accepted_and_others_are_not()
    {
        await using var server = await RunningServer.StartAsync();
        var (_, ok, _) = await server.PostJsonAsync($$$"""{"$token":"{{{RunningServer.OtherToken}}}","$distinct_id":"x","$set":{"a":1}}""");
        var (_, refused, _) = await server.PostJsonAsync("""{"$token":"made-up","$distinct_id":"x","$set":{"a":1}}""");
        Assert.Equal(("1", "0"), (ok, refused));
    }
}
