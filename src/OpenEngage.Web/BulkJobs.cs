using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenEngage.Projects;

namespace OpenEngage.Web;

/// <summary>
/// The bulk changes of the web pages: each runs in the background over the ids its filter matched
/// when it started, in batches through <see cref="ProfileWriter"/>. Finished jobs are kept an hour
/// for their progress page.
/// </summary>
public sealed partial class BulkJobs(ProfileBrowser browser, ProfileWriter writer, ILogger<BulkJobs> logger)
{
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, BulkJob> _jobs = new(StringComparer.Ordinal);

    /// <summary>Runs before each batch after the first (tests hold a job there to cancel it at a known point).</summary>
    internal Func<BulkJob, Task>? BetweenBatches { get; set; }

    public BulkJob? Find(string id, string projectId) =>
        _jobs.TryGetValue(id, out var job) && job.ProjectId == projectId ? job : null;

    /// <summary>Starts <paramref name="change"/> on every profile of <paramref name="project"/> matching <paramref name="state"/>.</summary>
    public BulkJob Start(ProjectOptions project, ListState state, BulkChange change)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(change);
        Forget();
        var job = new BulkJob(project.EffectiveId, change.Description, (state with { Page = 0 }).Url());
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job, project, state, change));
        return job;
    }

    private async Task RunAsync(BulkJob job, ProjectOptions project, ListState state, BulkChange change)
    {
        try
        {
            var ids = await browser.IdsAsync(project.EffectiveId, state, job.CancellationToken).ConfigureAwait(false);
            job.Counted(ids.Count);
            var target = new ProfileTarget(project.Token, state.GroupKey);
            for (var start = 0; start < ids.Count; start += ProfileWriter.BatchSize)
            {
                if (start > 0 && BetweenBatches is { } hook)
                {
                    await hook(job).ConfigureAwait(false);
                }

                if (job.CancellationToken.IsCancellationRequested)
                {
                    job.Finish("cancelled");
                    return;
                }

                var batch = ids.Skip(start).Take(ProfileWriter.BatchSize).ToList();
                // Not the job's token: a batch handed to the store is applied whole.
                var result = change.Operation switch
                {
                    "set" => await writer.SetAsync(target, batch, change.Property!, change.Value, CancellationToken.None).ConfigureAwait(false),
                    "unset" => await writer.UnsetAsync(target, batch, change.Property!, CancellationToken.None).ConfigureAwait(false),
                    _ => await writer.DeleteAsync(target, batch, CancellationToken.None).ConfigureAwait(false),
                };
                job.Progress(result.Applied, result.Failed.Count, result.Failed.FirstOrDefault() is { } failure ? $"{failure.DistinctId}: {failure.Field}: {failure.Message}" : null);
            }

            job.Finish("finished");
        }
        catch (OperationCanceledException) when (job.CancellationToken.IsCancellationRequested)
        {
            job.Finish("cancelled");
        }
        catch (Exception error)
        {
            LogJobFailed(logger, error, job.Description);
            job.Finish("failed", "The change stopped: " + error.Message);
        }
    }

    private void Forget()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, job) in _jobs)
        {
            if (job.FinishedAt is { } finished && now - finished > KeepFinished)
            {
                _jobs.TryRemove(id, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The bulk change {Description} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception error, string description);
}
