using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>The working set both stores apply a group's updates in: each profile read once, its updates seeing each other.</summary>
public sealed class WorkingSetTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AProfileIsReadOnceAndItsUpdatesInAGroupSeeEachOther()
    {
        var loads = new List<ProfileKey>();
        var working = new WorkingSet(new ProfileEngine(ProfileLimits.Default), key =>
        {
            loads.Add(key);
            return key.Id == "stored" ? new JsonObject { ["n"] = 10 } : null;
        });

        Assert.Equal(ApplyStatus.Upserted, working.Apply(AddTo("stored", 1)).Status);
        Assert.Equal(ApplyStatus.Upserted, working.Apply(AddTo("stored", 2)).Status);
        Assert.Equal(ApplyStatus.Upserted, working.Apply(AddTo("new", 5)).Status);
        Assert.Equal(ApplyStatus.Deleted, working.Apply(Update("new") with { Operations = new() { Delete = true } }).Status);

        Assert.Equal([Key("stored"), Key("new")], loads);
        var profiles = new Dictionary<string, WorkingProfile>();
        foreach (var profile in working)
        {
            profiles.Add(profile.Key.Id, profile);
        }

        Assert.Equal("13", profiles["stored"].Current!["n"]!.ToJsonString());
        Assert.True(profiles["stored"] is { Stored: true, Dirty: true });
        Assert.True(profiles["new"] is { Current: null, Stored: false, Dirty: true });
    }

    [Fact]
    public void AnAddedProfileIsNotLoadedAndAnUntouchedOneIsNotDirty()
    {
        var working = new WorkingSet(new ProfileEngine(ProfileLimits.Default), key => throw new InvalidOperationException($"{key.Id} was loaded."));
        working.Add(Key("absent"), null);
        working.Add(Key("stored"), new JsonObject { ["n"] = 1 });

        Assert.Equal(ApplyStatus.Upserted, working.Apply(AddTo("absent", 1)).Status);

        Assert.Equal(2, working.Count);
        foreach (var profile in working)
        {
            Assert.Equal(profile.Key.Id == "absent", profile.Dirty);
            Assert.Equal(profile.Key.Id == "stored", profile.Stored);
        }

        working.Clear();
        Assert.Equal(0, working.Count);
    }

    private static ProfileKey Key(string id) => ProfileKey.User("p", id);

    private static ProfileUpdate Update(string id) => new() { Key = new ProfileKey("p", "", id), Time = T0, Operations = new() };

    private static ProfileUpdate AddTo(string id, decimal delta) => Update(id) with { Operations = new() { Add = [new("n", delta)] } };
}
