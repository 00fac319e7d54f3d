namespace OpenEngage.Server.Tests;

/// <summary>Contract §4 geolocation, with a small generated city database (tests/fixtures/geo).</summary>
public sealed class GeolocationTests : IAsyncLifetime
{
    private const string London = "81.2.69.142";
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(
        $"Geolocation:Database={Path.Combine(AppContext.BaseDirectory, "fixtures", "test-city.mmdb")}",
        "Network:TrustedProxies:0=127.0.0.1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task SendAsync(string id, string operations, string query = "", string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/engage" + query)
        {
            Content = new StringContent($$$"""[{"$token":"{{{RunningServer.Token}}}","$distinct_id":"{{{id}}}",{{{operations}}}}]"""),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        var (status, body) = await _server.SendAsync(request);
        Assert.Equal((200, "1"), (status, body));
    }

    [Fact]
    public async Task The_records_ip_is_located_and_never_stored()
    {
        await SendAsync("g1", $$$""" "$set":{"a":1}, "$ip":"{{{London}}}" """);
        var profile = (await _server.ProfileAsync("g1"))!;
        Assert.Equal("London", (string?)profile["$city"]);
        Assert.Equal("England", (string?)profile["$region"]);
        Assert.Equal("GB", (string?)profile["$country_code"]);
        Assert.Equal("Europe/London", (string?)profile["$timezone"]);
        Assert.DoesNotContain(profile, p => p.Value?.ToJsonString().Contains(London, StringComparison.Ordinal) == true);
        Assert.False(profile.ContainsKey("$ip"));
    }

    [Fact]
    public async Task Explicit_values_win()
    {
        await SendAsync("g2", $$$""" "$set":{"$city":"Paris"}, "$ip":"{{{London}}}" """);
        var profile = (await _server.ProfileAsync("g2"))!;
        Assert.Equal("Paris", (string?)profile["$city"]);
        Assert.Equal("GB", (string?)profile["$country_code"]);
    }

    [Fact]
    public async Task Only_set_and_set_once_records_are_located()
    {
        await SendAsync("g3", $$$""" "$add":{"n":1}, "$ip":"{{{London}}}" """);
        Assert.False((await _server.ProfileAsync("g3"))!.ContainsKey("$city"));
        await SendAsync("g3", $$$""" "$set_once":{"a":1}, "$ip":"{{{London}}}" """);
        Assert.Equal("London", (string?)(await _server.ProfileAsync("g3"))!["$city"]);
    }

    [Theory]
    [InlineData("\"0\"")]
    [InlineData("0")]
    public async Task Ip_zero_in_the_record_turns_it_off(string zero)
    {
        var id = "g4" + zero.Length;
        await SendAsync(id, $$""" "$set":{"a":1}, "$ip":{{zero}} """, forwardedFor: London);
        Assert.False((await _server.ProfileAsync(id))!.ContainsKey("$city"));
    }

    [Fact]
    public async Task The_request_address_from_a_trusted_proxy_is_used_unless_ip_is_0()
    {
        await SendAsync("g5", """ "$set":{"a":1} """, forwardedFor: London);
        Assert.Equal("London", (string?)(await _server.ProfileAsync("g5"))!["$city"]);

        await SendAsync("g6", """ "$set":{"a":1} """, query: "?ip=0", forwardedFor: London);
        Assert.False((await _server.ProfileAsync("g6"))!.ContainsKey("$city"));
    }

    [Fact]
    public async Task An_unknown_address_sets_nothing()
    {
        await SendAsync("g7", """ "$set":{"a":1}, "$ip":"10.1.2.3" """);
        Assert.False((await _server.ProfileAsync("g7"))!.ContainsKey("$city"));
    }
}
