using System.Net;
using System.Text.RegularExpressions;
using OpenEngage.Tests.Support;

namespace OpenEngage.Web.Tests;

/// <summary>
/// The server run as its own process from the build output, with no environment set, as
/// <c>dotnet OpenEngage.Server.dll</c> runs it: the Production environment, where ASP.NET Core
/// serves no static web assets from a build output. The pages and their assets must still load.
/// </summary>
public sealed partial class BuildOutputTests
{
    [Fact]
    public async Task TheBuildOutputServesThePagesAndTheirAssetsInProduction()
    {
        var data = Directory.CreateTempSubdirectory("openengage-web-process-").FullName;
        try
        {
            using var server = await ServerProcess.StartAsync(data);
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address };

            using var root = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.Found, root.StatusCode);
            var page = await client.GetStringAsync("/signin");
            Assert.Contains("<form method=\"post\">", page, StringComparison.Ordinal);
            var assets = Asset().Matches(page).Select(match => WebUtility.HtmlDecode(match.Groups[1].Value)).ToList();
            Assert.Equal(2, assets.Count);
            foreach (var asset in assets)
            {
                var bytes = await client.GetByteArrayAsync(asset);
                Assert.True(bytes.Length > 500, $"{asset}: {bytes.Length} bytes");
            }

            Assert.DoesNotContain("Development", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [GeneratedRegex("(?:href|src)=\"(/ui/app\\.(?:css|js)[^\"]*)\"")]
    private static partial Regex Asset();
}
