namespace OpenEngage.Server.Tests;

/// <summary>
/// Contract §4 through HTTP: <c>"$ip"</c> inside <c>$set</c> / <c>$set_once</c> (Go's SetIp, the Java and Go
/// docs' <c>"$ip": 0</c>) is the record's IP for geolocation and never a stored property.
/// </summary>
public sealed class NestedIpGeolocationTests : IAsyncLifetime
{
    private const string London = "81.2.69.142";
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(
        $"Geolocation:Database={Path.Combine(AppContext.BaseDirectory, "fixtures", "test-city.mmdb")}",
        "Network:TrustedProxies:0=127.0.0.1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task SendAsync(string id, string operations, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/engage")
        {
            Content = new StringContent($$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}",{{{operations}}}}]"""),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        Assert.Equal((200, "1"), await _server.SendAsync(request));
    }

    [Theory]
    [InlineData("$set")]
    [InlineData("$set_once")]
    public async Task An_ip_inside_set_locates_the_record_and_is_not_stored(string operation)
    {
        var id = "nested" + operation;
        await SendAsync(id, $$$""" "{{{operation}}}":{"a":1,"$ip":"{{{London}}}"} """);

        var profile = (await _server.ProfileAsync(id))!;
        Assert.Equal("London", (string?)profile["$city"]);
        Assert.Equal("GB", (string?)profile["$country_code"]);
        Assert.Equal(1, (int)profile["a"]!);
        Assert.False(profile.ContainsKey("$ip"));
        Assert.DoesNotContain(London, profile.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("\"0\"")]
    public async Task Zero_inside_set_turns_geolocation_off_and_is_not_stored(string zero)
    {
        var id = "off" + zero.Length;
        await SendAsync(id, $$""" "$set":{"a":1,"$ip":{{zero}}} """, forwardedFor: London);

        var profile = (await _server.ProfileAsync(id))!;
        Assert.False(profile.ContainsKey("$city"));
        Assert.False(profile.ContainsKey("$ip"));
    }
}
