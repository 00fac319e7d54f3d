using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OpenEngage.Web;

/// <summary>
/// The pages' stylesheet and script, embedded in this assembly and served from memory at
/// <c>/ui/app.css</c> and <c>/ui/app.js</c>, with an ETag. Nothing depends on static web assets,
/// which ASP.NET Core serves from a build output only in Development.
/// </summary>
public static class UiAssets
{
    public static readonly IReadOnlyDictionary<string, Asset> All = new Dictionary<string, Asset>(StringComparer.Ordinal)
    {
        ["/ui/app.css"] = Load("app.css", "text/css; charset=utf-8"),
        ["/ui/app.js"] = Load("app.js", "text/javascript; charset=utf-8"),
    };

    /// <summary>The URL of an asset with its content hash, so a browser can cache it for good.</summary>
    public static string Url(string path) => $"{path}?v={All[path].ETag.Trim('"')}";

    public static IEndpointRouteBuilder MapUiAssets(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, asset) in All)
        {
            endpoints.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.ETag = asset.ETag;
                context.Response.Headers.CacheControl = context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
                if (context.Request.Headers.IfNoneMatch == asset.ETag)
                {
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                }

                return Results.Bytes(asset.Content, asset.ContentType);
            }).ExcludeFromDescription();
        }

        return endpoints;
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(UiAssets).Assembly.GetManifestResourceStream($"OpenEngage.Web.Assets.{name}")
            ?? throw new InvalidOperationException($"The embedded asset {name} is missing from {typeof(UiAssets).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return new Asset(content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
    }

    public sealed record Asset(byte[] Content, string ContentType, string ETag);
}
