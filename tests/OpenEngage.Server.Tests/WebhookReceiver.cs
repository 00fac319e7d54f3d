using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Server.Tests;

/// <summary>
/// A webhook receiver on a real Kestrel socket on 127.0.0.1:0: it answers 503 to the first
/// <c>failFirst</c> POSTs (or while <see cref="Down"/>), 200 to the rest, and records every attempt.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<Attempt> _attempts = [];
    private int _failuresLeft;

    private WebhookReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        _failuresLeft = failFirst;
    }

    public sealed record Attempt(bool Accepted, string Body, string? Signature, string? Timestamp, string? Delivery)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>While true, every POST is answered 503.</summary>
    public bool Down { get; set; }

    public IReadOnlyList<Attempt> Attempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _attempts];
            }
        }
    }

    public IReadOnlyList<Attempt> Accepted => [.. Attempts.Where(attempt => attempt.Accepted)];

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failFirst);
        app.MapPost("/hook", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/hook");
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        bool accept;
        lock (_gate)
        {
            accept = !Down && _failuresLeft-- <= 0;
            _attempts.Add(new Attempt(
                accept,
                body,
                context.Request.Headers["X-OpenEngage-Signature"].FirstOrDefault(),
                context.Request.Headers["X-OpenEngage-Timestamp"].FirstOrDefault(),
                context.Request.Headers["X-OpenEngage-Delivery"].FirstOrDefault()));
        }

        context.Response.StatusCode = accept ? 200 : 503;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the attempts, checking often; fails after a generous timeout.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<Attempt>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition(Attempts))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; received {Attempts.Count} attempts.");
            await Task.Delay(20);
        }
    }

    /// <summary>The receiver's side of the signature: HMAC-SHA256 over "timestamp.body".</summary>
    public static bool Verifies(Attempt attempt, string secret)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{attempt.Timestamp}.{attempt.Body}")));
        return attempt.Signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(attempt.Signature));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
