using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Reports;
using AvCloud.Functions.Retention;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AvCloud.Tests.Cosmos;

/// <summary>
/// Every guarded write of a state change, losing a race: another writer changes the record between the loser's read
/// and its write. The loser is judged again, by the same transition, on what the winner left; it gets the refusal (or
/// its retry's own result), never a success it did not have, and the stored record is the winner's.
/// The stores work on a database of their own, so the half-made records these races leave (held footage with no blob)
/// are never seen by the timers the other tests run.
/// </summary>
public sealed class LostRaceTests(LocalCloudFixture fixture) : IAsyncLifetime
{
    private Database _database = null!;

    private static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var client = fixture.Cloud.Services.GetRequiredService<CosmosClient>();
        _database = (await client.CreateDatabaseIfNotExistsAsync("lost-race-tests", cancellationToken: Cancel)).Database;
        foreach (var name in CosmosContainers.All)
        {
            await _database.CreateContainerIfNotExistsAsync(new ContainerProperties(name, CosmosContainers.PartitionKeyPath), cancellationToken: Cancel);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // The stores write each change with its audit event, as in the app, into this database's own audit chain.
    private T Store<T>()
        where T : notnull
    {
        var trail = new AuditTrail(_database, TimeProvider.System);
        return typeof(T) == typeof(UnitStore)
            ? (T)(object)new UnitStore(_database, Options.Create(new RetentionOptions()), trail)
            : (T)Activator.CreateInstance(typeof(T), _database, trail)!;
    }

    private static AuditEntry Told<T>(T before, T after)
        where T : IUnitDocument => new(after.UnitId, "racer", Roles.Keeper, AuditAction.DeviceStatusChanged, $"race/{after.Id}", AuditOutcomes.Success);

    private static AuditEntry ToldOf(UnitSettings settings) => Told(settings, settings);

    // The event is chained in the unit of the record it is written with.
    private static AuditEntry Created { get; } = new("race", "racer", Roles.Keeper, AuditAction.DeviceRegistered, "race", AuditOutcomes.Success);

    private static AuditEntry Catalogued(FootageRecord record, RecordWrite write) => Told(record, record);

    private static string NewUnit() => $"unit-{Guid.NewGuid():N}"[..13];

    private static Caller As(string unit, string user, params string[] roles) => new(user, null, unit, roles.ToHashSet());

    /// <summary><paramref name="mine"/>, with <paramref name="winner"/> getting in first, between this writer's first read and its write.</summary>
    private static Func<T, Outcome<T>> LosingTo<T>(Func<Task> winner, Func<T, Outcome<T>> mine)
        where T : class
    {
        var first = true;
        return current =>
        {
            if (first)
            {
                first = false;
                winner().GetAwaiter().GetResult();
            }

            return mine(current);
        };
    }

    private static Refusal Lost<T>(Outcome<T> outcome, int status)
        where T : class
    {
        Assert.Null(outcome.Value);
        var refusal = Assert.IsType<Refusal>(outcome.Refusal);
        Assert.Equal(status, refusal.Status);
        return refusal;
    }

    private async Task<(DeviceStore Devices, string Unit)> DeviceAsync()
    {
        var unit = NewUnit();
        var devices = Store<DeviceStore>();
        Assert.True(await devices.RegisterAsync(new Device
        {
            Id = "cam-1", UnitId = unit, Kind = DeviceKind.BodyWornCamera, Serial = "SN", Model = "M", RegisteredBy = "keeper-1", RegisteredAt = Now.AddDays(-1),
        }, Created, Cancel));
        return (devices, unit);
    }

    [Fact]
    public async Task A_device_checkout_that_loses_to_another_checkout_is_refused()
    {
        var (devices, unit) = await DeviceAsync();

        var outcome = await devices.ChangeAsync(unit, "cam-1", LosingTo<Device>(
            () => devices.ChangeAsync(unit, "cam-1", d => d.CheckOut(new DeviceCheckout("officer-wang", Now, "keeper-2", "ok")), Told, Cancel),
            d => d.CheckOut(new DeviceCheckout("officer-zhang", Now, "keeper-1", "ok"))), Told, Cancel);

        Assert.Contains("officer-wang", Lost(outcome, 409).Detail, StringComparison.Ordinal);
        Assert.Equal("officer-wang", (await devices.ReadAsync(unit, "cam-1", Cancel))!.Holder!.OfficerId);
    }

    [Fact]
    public async Task A_status_change_that_loses_to_a_checkout_is_refused_not_reported_as_done()
    {
        var (devices, unit) = await DeviceAsync();

        var outcome = await devices.ChangeAsync(unit, "cam-1", LosingTo<Device>(
            () => devices.ChangeAsync(unit, "cam-1", d => d.CheckOut(new DeviceCheckout("officer-wang", Now, "keeper-2", "ok")), Told, Cancel),
            d => d.ChangeStatus(DeviceStatus.UnderRepair, "cracked", "keeper-1", Now)), Told, Cancel);

        Lost(outcome, 409);
        var stored = (await devices.ReadAsync(unit, "cam-1", Cancel))!;
        Assert.Equal(DeviceStatus.InService, stored.Status);
        Assert.Empty(stored.StatusChanges);
    }

    [Fact]
    public async Task A_return_that_loses_to_the_same_return_ends_nothing_twice()
    {
        var (devices, unit) = await DeviceAsync();
        var checkout = new DeviceCheckout("officer-zhang", Now, "keeper-1", "ok");
        await devices.ChangeAsync(unit, "cam-1", d => d.CheckOut(checkout), Told, Cancel);

        var outcome = await devices.ChangeAsync(unit, "cam-1", LosingTo<Device>(
            () => devices.ChangeAsync(unit, "cam-1", d => d.Return(Now.AddHours(8), checkout), Told, Cancel),
            d => d.Return(Now.AddHours(9), checkout)), Told, Cancel);

        Lost(outcome, 409);
        Assert.Equal(Now.AddHours(8), (await devices.ReadAsync(unit, "cam-1", Cancel))!.LastReturnedAt);
    }

    private async Task<(RequestStore Requests, string Unit, string Id)> RequestAsync()
    {
        var unit = NewUnit();
        var requests = Store<RequestStore>();
        var request = new AccessRequest
        {
            Id = Guid.NewGuid().ToString("N"), UnitId = unit, RequestedBy = "reviewer-1", RequesterRoles = [Roles.Reviewer], RequestedAt = Now,
            FootageIds = ["a"], Purpose = "complaint", CaseName = "c", CaseNumber = "1", Mode = AccessMode.View, Duration = TimeSpan.FromDays(1),
            ApproverRole = Roles.Keeper,
        };
        Assert.True(await requests.CreateAsync(request, Created, Cancel));
        return (requests, unit, request.Id);
    }

    [Fact]
    public async Task An_approval_that_loses_to_a_rejection_is_refused()
    {
        var (requests, unit, id) = await RequestAsync();
        var keeper = As(unit, "keeper-1", Roles.Keeper);
        var head = As(unit, "head-1", Roles.Head);

        var outcome = await requests.ChangeAsync(unit, id, LosingTo<AccessRequest>(
            () => requests.ChangeAsync(unit, id, r => r.Reject(head, "no case", Now), Told, Cancel),
            r => r.Approve(keeper, Roles.Keeper, ["a"], AccessMode.View, TimeSpan.FromHours(1), null, Now)), Told, Cancel);

        Assert.Equal("request is rejected", Lost(outcome, 409).Reason);
        Assert.Equal(AccessStatus.Rejected, (await requests.ReadAsync(unit, id, Cancel))!.Status);
    }

    [Fact]
    public async Task A_revocation_that_loses_to_a_rejection_is_refused()
    {
        var (requests, unit, id) = await RequestAsync();
        var head = As(unit, "head-1", Roles.Head);

        var outcome = await requests.ChangeAsync(unit, id, LosingTo<AccessRequest>(
            () => requests.ChangeAsync(unit, id, r => r.Reject(head, "no case", Now), Told, Cancel),
            r => r.Revoke(head, "case closed", Now)), Told, Cancel);

        Lost(outcome, 409);
        Assert.Null((await requests.ReadAsync(unit, id, Cancel))!.Revocation);
    }

    private async Task<(FootageStore Footage, string Unit, string Id)> FootageAsync(FootageStatus status = FootageStatus.Available)
    {
        var unit = NewUnit();
        var footage = Store<FootageStore>();
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var upload = new FootageUpload("s1", "a.mp4", "dock-1", "cam-1", "officer-zhang", Now.AddYears(-2), Now.AddYears(-2));
        await footage.RecordAsync(new FootageRecord
        {
            Id = id, UnitId = unit, Sha256 = id, Size = 10, Kind = MediaKind.Video, BlobName = $"{unit}/2024/11/{id}.mp4", DeviceId = "cam-1",
            OfficerId = "officer-zhang", DockId = "dock-1", RecordedStart = Now.AddYears(-2), RecordedEnd = Now.AddYears(-2), ClockDriftSeconds = 0,
            CorrectedStart = Now.AddYears(-2), CorrectedEnd = Now.AddYears(-2), DockedAt = Now.AddYears(-2), CataloguedAt = Now.AddYears(-2),
            HandoverDeadline = Now.AddYears(-2).AddDays(1), HandedOverInTime = true, DockedToCataloguedSeconds = 1, RetentionUntil = Now.AddDays(-1),
            Status = status, Disposal = status == FootageStatus.Available ? null : new Disposal(Now.AddDays(-1)), Uploads = [upload],
        }, upload, Catalogued, Cancel);
        return (footage, unit, id);
    }

    private static PreservationHold Hold(string id) => new(id, HoldReason.Dispute, null, "Case", "1", "prosecutor", "keeper-1", Now);

    private static readonly PreservationCopy Copy = new("preservation", "x", "y", Now);

    private static readonly Caller KeeperOne = new("keeper-1", null, "unit-a", new HashSet<string> { Roles.Keeper });

    [Fact]
    public async Task A_disposal_approval_that_loses_to_a_hold_is_refused()
    {
        var (footage, unit, id) = await FootageAsync(FootageStatus.DisposalPending);

        var outcome = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.PlaceHold(Hold("h1"), Copy), Told, Cancel),
            r => r.ApproveDisposal(KeeperOne, Now, TimeSpan.FromDays(7))), Told, Cancel);

        Lost(outcome, 409);
        var stored = (await footage.ReadAsync(unit, id, Cancel))!;
        Assert.Equal(FootageStatus.DisposalPending, stored.Status);
        Assert.Single(stored.Holds);
    }

    private static Activity Activity(string id, string unit) => new()
    {
        Id = id, UnitId = unit, Kind = ActivityKind.Hearing, Officers = ["officer-zhang"], Place = "hall", Start = Now.AddYears(-2), End = Now.AddYears(-2).AddHours(1),
        CreatedBy = "keeper-1", CreatedAt = Now.AddYears(-2),
    };

    [Fact]
    public async Task The_linking_rule_that_loses_to_a_keepers_link_is_refused_and_the_keepers_link_stands()
    {
        var (footage, unit, id) = await FootageAsync();

        var outcome = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.LinkTo(Activity("act-keeper", unit), TimeSpan.FromHours(24), LinkMethod.Keeper), Told, Cancel),
            r => r.LinkByRule([Activity("act-rule", unit)], TimeSpan.FromHours(24))), Told, Cancel);

        Lost(outcome, 409);
        var stored = (await footage.ReadAsync(unit, id, Cancel))!;
        Assert.Equal(("act-keeper", LinkMethod.Keeper), (stored.ActivityId, stored.LinkedBy));
    }

    [Fact]
    public async Task The_linking_rule_that_loses_to_the_same_rule_writes_nothing_twice()
    {
        var (footage, unit, id) = await FootageAsync();
        var rule = (FootageRecord r) => r.LinkByRule([Activity("act-1", unit), Activity("act-2", unit)], TimeSpan.FromHours(24));

        var outcome = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(() => footage.ChangeAsync(unit, id, rule, Told, Cancel), rule), Told, Cancel);

        Lost(outcome, 409);
        Assert.Equal(["act-1", "act-2"], (await footage.ReadAsync(unit, id, Cancel))!.LinkCandidates);
    }

    [Fact]
    public async Task The_sweep_that_loses_to_a_hold_offers_nothing_for_disposal()
    {
        var (footage, unit, id) = await FootageAsync();

        var outcome = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.PlaceHold(Hold("h1"), Copy), Told, Cancel),
            r => r.OfferForDisposal(Now)), Told, Cancel);

        Lost(outcome, 409);
        Assert.Equal(FootageStatus.Available, (await footage.ReadAsync(unit, id, Cancel))!.Status);
    }

    [Fact]
    public async Task A_cancellation_that_loses_to_the_purge_is_refused_and_the_purge_that_loses_to_a_cancellation_too()
    {
        var (footage, unit, id) = await FootageAsync(FootageStatus.DisposalPending);
        await footage.ChangeAsync(unit, id, r => r.ApproveDisposal(KeeperOne, Now.AddDays(-8), TimeSpan.FromDays(7.5)), Told, Cancel);

        var cancel = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.Purge(Now), Told, Cancel),
            r => r.CancelDisposal(Now.AddDays(-1))), Told, Cancel);
        Lost(cancel, 409);
        Assert.Equal(FootageStatus.Purged, (await footage.ReadAsync(unit, id, Cancel))!.Status);

        var (other, otherUnit, otherId) = await FootageAsync(FootageStatus.DisposalPending);
        await other.ChangeAsync(otherUnit, otherId, r => r.ApproveDisposal(KeeperOne, Now, TimeSpan.FromDays(7)), Told, Cancel);
        var purge = await other.ChangeAsync(otherUnit, otherId, LosingTo<FootageRecord>(
            () => other.ChangeAsync(otherUnit, otherId, r => r.CancelDisposal(Now), Told, Cancel),
            r => r.Purge(Now)), Told, Cancel);
        Lost(purge, 409);
        Assert.Equal(FootageStatus.DisposalPending, (await other.ReadAsync(otherUnit, otherId, Cancel))!.Status);
    }

    [Fact]
    public async Task A_hold_release_that_loses_to_the_same_release_is_not_found_and_a_second_hold_is_kept()
    {
        var (footage, unit, id) = await FootageAsync();
        await footage.ChangeAsync(unit, id, r => r.PlaceHold(Hold("h1"), Copy).Then(h => h.PlaceHold(Hold("h2"), copy: null)), Told, Cancel);

        var outcome = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.ReleaseHold("h1"), Told, Cancel),
            r => r.ReleaseHold("h1")), Told, Cancel);

        Lost(outcome, 404);
        Assert.Equal("h2", Assert.Single((await footage.ReadAsync(unit, id, Cancel))!.Holds).Id);
    }

    [Fact]
    public async Task A_keepers_raise_that_loses_to_a_higher_raise_is_judged_as_a_lowering_and_refused()
    {
        var (footage, unit, id) = await FootageAsync();
        var keeper = As(unit, "keeper-1", Roles.Keeper);

        var raised = await footage.ChangeAsync(unit, id, LosingTo<FootageRecord>(
            () => footage.ChangeAsync(unit, id, r => r.Classify(Classification.StateSecret, "national security", keeper, Now), Told, Cancel),
            r => r.Classify(Classification.Privacy, "a minor", keeper, Now)), Told, Cancel);

        // The keeper's change, judged on the winner's state secret, is a lowering: refused, and the higher level stands.
        Lost(raised, 403);
        Assert.Equal(Classification.StateSecret, (await footage.ReadAsync(unit, id, Cancel))!.Classification);
    }

    [Fact]
    public async Task A_work_record_decision_that_loses_to_another_is_refused()
    {
        var unit = NewUnit();
        var activities = Store<ActivityStore>();
        var record = new WorkRecord
        {
            Id = Guid.NewGuid().ToString("N"), UnitId = unit, ActivityId = "act-1", OfficerId = "officer-zhang", Reason = WorkRecordReason.DeviceFault,
            Explanation = "battery", SubmittedAt = Now,
        };
        Assert.True(await activities.CreateAsync(record, Created, Cancel));
        var head = As(unit, "head-1", Roles.Head);
        var deputy = As(unit, "head-2", Roles.Head);

        var outcome = await activities.ChangeWorkRecordAsync(unit, "act-1", record.Id, LosingTo<WorkRecord>(
            () => activities.ChangeWorkRecordAsync(unit, "act-1", record.Id, r => r.Reject(deputy, "no", Now), Told, Cancel),
            r => r.Archived(head, "ok", Now, "blob", "sha")), Told, Cancel);

        Assert.Equal("work record is rejected", Lost(outcome, 409).Reason);
        Assert.Equal(("head-2", (string?)null), ((await activities.ReadWorkRecordAsync(unit, "act-1", record.Id, Cancel))!.DecidedBy!,
            (await activities.ReadWorkRecordAsync(unit, "act-1", record.Id, Cancel))!.ArchiveBlob));
    }

    [Fact]
    public async Task A_score_that_loses_to_another_reviewers_score_keeps_both()
    {
        var unit = NewUnit();
        var reviews = Store<ActivityStore>();
        var review = new Review
        {
            Id = Guid.NewGuid().ToString("N"), UnitId = unit, From = Now.AddYears(-1), To = Now, Seed = 1, Population = 1, FootageIds = ["a"],
            CreatedBy = "supervisor-1", CreatedAt = Now,
        };
        Assert.True(await reviews.CreateAsync(review, Created, Cancel));

        var outcome = await reviews.ChangeReviewAsync(unit, review.Id, LosingTo<Review>(
            () => reviews.ChangeReviewAsync(unit, review.Id, r => r.Score(new ReviewScore("a", "head-1", 5, 5, true, true, null, Now)), Told, Cancel),
            r => r.Score(new ReviewScore("a", "supervisor-1", 3, 3, true, false, null, Now))), Told, Cancel);

        // Not a refusal: the retry's own result, made on top of the winner's.
        Assert.Equal(["head-1", "supervisor-1"], outcome.Value!.Scores.Select(s => s.ReviewerId).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await reviews.ReadReviewAsync(unit, review.Id, Cancel))!.Scores.Count);
    }

    [Fact]
    public async Task A_settings_change_that_loses_to_a_longer_Locked_period_cannot_shorten_it()
    {
        var unit = NewUnit();
        var units = Store<UnitStore>();
        UnitSettingsChange Months(int months) => new("Unit", "Asia/Shanghai", new() { ["default"] = months }, 7, PolicyMode.Locked);

        var outcome = await units.ChangeSettingsAsync(unit, LosingTo<UnitSettings>(
            () => units.ChangeSettingsAsync(unit, s => s.Change(Months(60), "head-2", Now), ToldOf, Cancel),
            s => s.Change(Months(36), "head-1", Now)), ToldOf, Cancel);

        Assert.Contains("retentionMonths", Lost(outcome, 400).Errors!.Keys);
        Assert.Equal(60, (await units.SettingsAsync(unit, Cancel)).RetentionMonths["default"]);
    }
}
