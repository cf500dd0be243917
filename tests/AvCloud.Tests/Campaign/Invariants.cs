using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using AvCloud.DockSync;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Ingest;
using AvCloud.Functions.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace AvCloud.Tests.Campaign;

/// <summary>One invariant: what it says, how many items it checked, and each item that broke it.</summary>
public sealed record Invariant(string Name, int Checked, IReadOnlyList<string> Violations)
{
    public bool Held => Violations.Count == 0;
}

/// <summary>
/// What must hold after any campaign, faults or none, once the backlog has drained: nothing pushed is lost or doubled,
/// nothing is left in ingest, every stored record is immutable and every hold has its held second copy, every state
/// change has its audit event and every chain verifies, every decision is explained by its history, the docks'
/// journals and the catalogue agree, and no client met a server error that neither carried a retry hint nor came from
/// an injected fault. Read with the faults off, straight from the stores where the API would hide nothing anyway.
/// </summary>
internal sealed class Invariants(CampaignCloud cloud, HttpClient http, ApiClient api, IReadOnlyList<FaultProxy> proxies)
{
    private readonly Database _database = cloud.Services.GetRequiredService<Database>();
    private readonly BlobServiceClient _blobs = cloud.Services.GetRequiredService<BlobServiceClient>();
    private readonly BlobServiceClient _preservation = cloud.Services.GetRequiredKeyedService<BlobServiceClient>(BlobContainers.PreservationAccount);

    public async Task<IReadOnlyList<Invariant>> CheckAsync(IReadOnlyList<DockStation> stations, IReadOnlyList<Campaign.RequestMade> requests,
        IReadOnlyList<Campaign.HoldMade> holds, IReadOnlyList<Campaign.DisposalSeed> disposalSet, IReadOnlyDictionary<string, string> cases,
        IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var journals = stations.ToDictionary(s => s, s => s.Journal().ToDictionary(e => e.Name));
        var live = await LiveRecordsAsync(cancellationToken);
        var audit = await AuditAsync(units, cancellationToken);
        return
        [
            await PushedFilesAsync(journals, live, cancellationToken),
            await IngestEmptyAsync(cancellationToken),
            await StoredImmutablyAsync(live.Values, cancellationToken),
            CataloguingAudited(live.Values, audit),
            await ChainsVerifyAsync(units, cancellationToken),
            await RequestsExplainedAsync(requests, audit, cancellationToken),
            HoldsExplained(holds, live, audit),
            JournalsAgree(journals, live.Values),
            .. await DisposalsAsync(disposalSet, cases, units, cancellationToken),
            ServerErrorsHinted(),
        ];
    }

    private async Task<Dictionary<string, FootageRecord>> LiveRecordsAsync(CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, FootageRecord>();
        using var feed = _database.GetContainer(CosmosContainers.Footage).GetItemQueryIterator<FootageRecord>(
            new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.dockId != @seed").WithParameter("@type", FootageRecord.DocumentType).WithParameter("@seed", "dock-seed"));
        while (feed.HasMoreResults)
        {
            foreach (var record in await feed.ReadNextAsync(cancellationToken))
            {
                records[$"{record.UnitId}/{record.Id}"] = record;
            }
        }

        return records;
    }

    /// <summary>(unit, action, target) of every successful audited change, counted.</summary>
    private async Task<Dictionary<(string Unit, string Action, string Target), int>> AuditAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var events = new Dictionary<(string, string, string), int>();
        var container = _database.GetContainer(CosmosContainers.Audit);
        foreach (var unit in units)
        {
            using var feed = container.GetItemQueryIterator<AuditEvent>(
                new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND c.outcome = @success").WithParameter("@type", AuditEvent.DocumentType)
                    .WithParameter("@success", AuditOutcomes.Success),
                requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(unit) });
            while (feed.HasMoreResults)
            {
                foreach (var e in await feed.ReadNextAsync(cancellationToken))
                {
                    var key = (unit, e.Action, e.Target);
                    events[key] = events.GetValueOrDefault(key) + 1;
                }
            }
        }

        return events;
    }

    /// <summary>Every recording put on a recorder, as its dock's journal file followed it, ended catalogued exactly once (or quarantined with a reason).</summary>
    private async Task<Invariant> PushedFilesAsync(Dictionary<DockStation, Dictionary<string, JournalEntry>> journals,
        Dictionary<string, FootageRecord> live, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        var files = 0;
        foreach (var (station, journal) in journals)
        {
            var sessions = new Dictionary<string, UploadSession?>();
            foreach (var put in station.Files)
            {
                files++;
                var item = $"{station.Unit}/{station.DockId}/{put.Name}";
                if (journal.GetValueOrDefault(put.Name) is not { SessionId: { } sessionId } entry)
                {
                    violations.Add($"{item} never got an upload session in the dock's journal");
                    continue;
                }

                if (!sessions.TryGetValue(sessionId, out var session))
                {
                    sessions[sessionId] = session = await SessionAsync(station, sessionId, cancellationToken);
                }

                var state = session?.Files.FirstOrDefault(f => f.Name == put.Name);
                switch (state?.State)
                {
                    case FileState.Catalogued or FileState.Duplicate:
                        var record = live.GetValueOrDefault($"{station.Unit}/{put.Sha256}");
                        var times = record?.Uploads.Count(u => u.SessionId == sessionId && u.FileName == put.Name) ?? 0;
                        if (record is null || (times != 1 && state.State == FileState.Catalogued))
                        {
                            violations.Add($"{item} is {state.State} in {sessionId} but its record holds it {times} times");
                        }

                        break;
                    case FileState.Quarantined when !string.IsNullOrWhiteSpace(state.Reason):
                        break;
                    default:
                        violations.Add($"{item} is {state?.State.ToString() ?? "unknown"} in {sessionId}{(state?.Reason is { } reason ? $" ({reason})" : "")}");
                        break;
                }
            }
        }

        return new Invariant("every file pushed is catalogued exactly once or quarantined with a reason", files, violations);
    }

    private async Task<UploadSession?> SessionAsync(DockStation station, string sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/uploads/{sessionId}");
        request.Headers.Authorization = new("Bearer", station.Token);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<UploadSession>(AvCloudJson.Options, cancellationToken) : null;
    }

    private async Task<Invariant> IngestEmptyAsync(CancellationToken cancellationToken)
    {
        var left = new List<string>();
        await foreach (var blob in _blobs.GetBlobContainerClient(BlobContainers.Ingest).GetBlobsAsync(cancellationToken: cancellationToken))
        {
            left.Add($"ingest/{blob.Name}");
        }

        return new Invariant("no blob left in ingest", left.Count, left);
    }

    private async Task<Invariant> StoredImmutablyAsync(IEnumerable<FootageRecord> records, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        var checkedBlobs = 0;
        foreach (var record in records)
        {
            checkedBlobs++;
            var blob = _blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(record.BlobName);
            if (!await blob.ExistsAsync(cancellationToken))
            {
                violations.Add($"footage/{record.BlobName} of record {record.Id} does not exist");
                continue;
            }

            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (properties.ImmutabilityPolicy?.ExpiresOn is null)
            {
                violations.Add($"footage/{record.BlobName} has no immutability policy");
            }

            if (record.Holds.Count == 0)
            {
                continue;
            }

            checkedBlobs++;
            if (!properties.HasLegalHold)
            {
                violations.Add($"footage/{record.BlobName} is held by {record.Holds.Count} holds but has no legal hold");
            }

            var copy = _preservation.GetBlobContainerClient(BlobContainers.Preservation).GetBlobClient(record.BlobName);
            if (!await copy.ExistsAsync(cancellationToken))
            {
                violations.Add($"the second copy of {record.BlobName} (held) does not exist");
            }
            else if (!(await copy.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.HasLegalHold)
            {
                violations.Add($"the second copy of {record.BlobName} has no legal hold");
            }
        }

        return new Invariant("every record's blob exists with its immutability policy; every held record's second copy exists with its hold", checkedBlobs, violations);
    }

    private static Invariant CataloguingAudited(IEnumerable<FootageRecord> records, Dictionary<(string Unit, string Action, string Target), int> audit)
    {
        var list = records.ToList();
        var violations = list.Where(r => audit.GetValueOrDefault((r.UnitId, AuditAction.FootageCatalogued.Name, $"footage/{r.Id}")) != 1)
            .Select(r => $"footage/{r.Id} in {r.UnitId} has {audit.GetValueOrDefault((r.UnitId, AuditAction.FootageCatalogued.Name, $"footage/{r.Id}"))} cataloguing events")
            .ToList();
        return new Invariant("every catalogued record has exactly one cataloguing audit event", list.Count, violations);
    }

    private async Task<Invariant> ChainsVerifyAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        foreach (var unit in units)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
            request.Headers.Authorization = new("Bearer", cloud.Issuer.Mint("head-verify", unit, [Roles.Head], TimeSpan.FromHours(1), DateTimeOffset.UtcNow));
            using var response = await http.SendAsync(request, cancellationToken);
            var report = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ChainReport>(AvCloudJson.Options, cancellationToken) : null;
            if (report is not { Intact: true })
            {
                violations.Add($"{unit}'s chain: {(report is null ? $"verify answered {(int)response.StatusCode}" : $"broken at {report.FirstBreak?.Sequence}: {report.FirstBreak?.Reason}")}");
            }
        }

        return new Invariant("every unit's audit chain verifies", units.Count, violations);
    }

    private async Task<Invariant> RequestsExplainedAsync(IReadOnlyList<Campaign.RequestMade> requests, Dictionary<(string Unit, string Action, string Target), int> audit,
        CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        var container = _database.GetContainer(CosmosContainers.Requests);
        foreach (var made in requests)
        {
            var target = AccessRequest.TargetOf(made.Id);
            AccessRequest stored;
            try
            {
                stored = (await container.ReadItemAsync<AccessRequest>(made.Id, new PartitionKey(made.Unit), cancellationToken: cancellationToken)).Resource;
            }
            catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                violations.Add($"{target} was answered 201 but is not stored");
                continue;
            }

            var approvals = audit.GetValueOrDefault((made.Unit, AuditAction.AccessApproved.Name, target));
            var asked = audit.GetValueOrDefault((made.Unit, AuditAction.AccessRequested.Name, target));
            var explained = stored.Status switch
            {
                AccessStatus.Pending => approvals == 0 && !made.ApprovalAnswered2xx,
                AccessStatus.Approved => approvals == 1,
                _ => false,
            };
            if (!explained || asked != 1)
            {
                violations.Add($"{target} is {stored.Status} with {asked} request and {approvals} approval events (approval answered {(made.ApprovalAnswered2xx ? "2xx" : "otherwise")})");
            }
        }

        return new Invariant("every access request is in a state its history explains", requests.Count, violations);
    }

    private static Invariant HoldsExplained(IReadOnlyList<Campaign.HoldMade> holds, Dictionary<string, FootageRecord> live,
        Dictionary<(string Unit, string Action, string Target), int> audit)
    {
        var violations = new List<string>();
        foreach (var hold in holds)
        {
            var record = live.GetValueOrDefault($"{hold.Unit}/{hold.FootageId}");
            var held = record?.Holds.Any(h => h.Id == hold.HoldId) == true;
            var target = $"footage/{hold.FootageId}";
            var placed = audit.GetValueOrDefault((hold.Unit, AuditAction.HoldPlaced.Name, target)) > 0;
            var releases = audit.GetValueOrDefault((hold.Unit, AuditAction.HoldReleased.Name, target));
            // A release whose answer was lost (a fault after the write) may have happened or not; either is explained
            // when the record and the audit trail agree. A release answered 2xx must have happened.
            var explained = placed && (held ? !hold.Released : hold.ReleaseAsked && releases > 0);
            if (!explained)
            {
                violations.Add($"hold {hold.HoldId} on {target} {(held ? "stands" : "is gone")} (release {(hold.ReleaseAsked ? hold.Released ? "answered 2xx" : "asked, answer lost" : "never asked")}; placed event {(placed ? "present" : "missing")}, {releases} release events)");
            }
        }

        return new Invariant("every hold placed or released is in the record and its audit trail", holds.Count, violations);
    }

    /// <summary>
    /// The journal files and the catalogue tell one story: every upload a record notes was pushed by a dock whose journal
    /// has that session, file and bytes; every recording put on a recorder is in its journal with its bytes' hash and
    /// ended verified by AvCloud with that hash (or quarantined with AvCloud's reason).
    /// </summary>
    private static Invariant JournalsAgree(Dictionary<DockStation, Dictionary<string, JournalEntry>> journals, IEnumerable<FootageRecord> records)
    {
        var journalled = journals.SelectMany(j => j.Value.Values.Select(e => (j.Key.Unit, e.SessionId, e.Name, e.Sha256))).ToHashSet();
        var violations = new List<string>();
        var checkedItems = 0;
        foreach (var record in records)
        {
            foreach (var upload in record.Uploads)
            {
                checkedItems++;
                if (!journalled.Contains((record.UnitId, upload.SessionId, upload.FileName, record.Sha256)))
                {
                    violations.Add($"footage/{record.Id} notes {upload.SessionId}/{upload.FileName}, which no dock's journal pushed with those bytes");
                }
            }
        }

        foreach (var (station, journal) in journals)
        {
            foreach (var put in station.Files)
            {
                checkedItems++;
                var entry = journal.GetValueOrDefault(put.Name);
                var agrees = entry is not null && entry.Sha256 == put.Sha256
                    && ((entry.Stage == FileStage.Verified && entry.FootageId == put.Sha256)
                        || (entry.Stage == FileStage.Quarantined && !string.IsNullOrWhiteSpace(entry.Message)));
                if (!agrees)
                {
                    violations.Add($"{station.DockId}'s journal has {put.Name} {(entry is null ? "not at all" : $"{entry.Stage} (hash {(entry.Sha256 == put.Sha256 ? "as put" : "differs")}, footage {entry.FootageId ?? "none"}, {entry.Message})")}");
                }
            }
        }

        return new Invariant("the dock journals agree with the catalogue", checkedItems, violations);
    }

    private static readonly string[] DisposalActions =
    [
        AuditAction.DisposalPending.Name, AuditAction.DisposalApproved.Name, AuditAction.DisposalCancelled.Name, AuditAction.DisposalBlocked.Name,
        AuditAction.FootagePurged.Name, AuditAction.HoldPlaced.Name, AuditAction.HoldReleased.Name, AuditAction.CaseHoldPlaced.Name, AuditAction.CaseHoldReleased.Name,
    ];

    /// <summary>
    /// Arts. 15 and 16 on the disposal set: every record's disposal state is what its audited history makes it, and no
    /// record was purged while a hold stood on it, its own or its case's (by the audit trail's times: a case hold placed
    /// before a purge and released after it, or never, means the purge broke Art. 16 even if the recording's own hold
    /// had not been placed yet).
    /// </summary>
    private async Task<Invariant[]> DisposalsAsync(IReadOnlyList<Campaign.DisposalSeed> disposalSet, IReadOnlyDictionary<string, string> cases,
        IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var events = new List<AuditEvent>();
        var container = _database.GetContainer(CosmosContainers.Audit);
        foreach (var unit in units)
        {
            using var feed = container.GetItemQueryIterator<AuditEvent>(
                new QueryDefinition("SELECT * FROM c WHERE c.type = @type AND ARRAY_CONTAINS(@actions, c.action)")
                    .WithParameter("@type", AuditEvent.DocumentType).WithParameter("@actions", DisposalActions),
                requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(unit) });
            while (feed.HasMoreResults)
            {
                events.AddRange(await feed.ReadNextAsync(cancellationToken));
            }
        }

        var footage = _database.GetContainer(CosmosContainers.Footage);
        var explained = new List<string>();
        var kept = new List<string>();
        var states = new Dictionary<FootageStatus, int>();
        foreach (var seed in disposalSet)
        {
            var record = (await footage.ReadItemAsync<FootageRecord>(seed.Id, new PartitionKey(seed.Unit), cancellationToken: cancellationToken)).Resource;
            states[record.Status] = states.GetValueOrDefault(record.Status) + 1;
            var target = $"footage/{seed.Id}";
            var mine = events.Where(e => e.UnitId == seed.Unit && e.Target == target).ToList();
            // A change is audited as a success; a disposal blocked by a hold is the purge's denial, and sends the record back.
            int Count(AuditAction action) => mine.Count(e => e.Action == action.Name
                && e.Outcome == (action == AuditAction.DisposalBlocked ? AuditOutcomes.Denied : AuditOutcomes.Success));
            var (pending, approved, cancelled, blocked, purged) = (Count(AuditAction.DisposalPending), Count(AuditAction.DisposalApproved),
                Count(AuditAction.DisposalCancelled), Count(AuditAction.DisposalBlocked), Count(AuditAction.FootagePurged));
            var (placed, released) = (Count(AuditAction.HoldPlaced), Count(AuditAction.HoldReleased));
            // Available -sweep-> pending -approve-> approved -cancel-> pending; approved -held-> available (blocked); approved -> purged.
            var ok = record.Status switch
            {
                FootageStatus.Available => purged == 0 && approved == cancelled + blocked && pending + cancelled == approved,
                FootageStatus.DisposalPending => purged == 0 && approved == cancelled + blocked && pending + cancelled == approved + 1,
                FootageStatus.DisposalApproved => purged == 0 && approved == cancelled + blocked + 1 && pending + cancelled == approved && record.Disposal?.ApprovedBy is not null,
                FootageStatus.Purged => purged == 1 && approved == cancelled + blocked + 1 && pending + cancelled == approved && record.Disposal?.ApprovedBy is not null
                    && record.Holds.Count == 0,
                _ => false,
            };
            if (!ok)
            {
                explained.Add($"{target} in {seed.Unit} is {record.Status} after {pending} pending, {approved} approved, {cancelled} cancelled, {blocked} blocked, {purged} purged events");
            }

            var held = record.Holds.Count > 0 || placed > released;
            if (record.Status == FootageStatus.Purged)
            {
                var purgedAt = mine.Where(e => e.Action == AuditAction.FootagePurged.Name).Min(e => e.Time);
                var caseTarget = $"cases/{cases[seed.Unit]}";
                var caseHolds = events.Where(e => e.UnitId == seed.Unit && e.Target == caseTarget && e.Outcome == AuditOutcomes.Success).ToList();
                var standing = caseHolds.Where(e => e.Action == AuditAction.CaseHoldPlaced.Name && e.Time < purgedAt)
                    .Where(p => !caseHolds.Any(r => r.Action == AuditAction.CaseHoldReleased.Name && r.Details.GetValueOrDefault("hold") == p.Details.GetValueOrDefault("hold") && r.Time <= purgedAt))
                    .Select(p => p.Details.GetValueOrDefault("hold")).ToList();
                if (held || standing.Count > 0)
                {
                    kept.Add($"{target} in {seed.Unit} was purged at {purgedAt:O} while {(held ? $"its own holds stood ({placed} placed, {released} released)" : $"case hold {string.Join(", ", standing)} stood")}");
                }
            }
            else if (held && !await _blobs.GetBlobContainerClient(BlobContainers.Footage).GetBlobClient(seed.BlobName).ExistsAsync(cancellationToken))
            {
                kept.Add($"{target} in {seed.Unit} is held but its blob is gone");
            }
        }

        var summary = string.Join(", ", states.OrderBy(s => s.Key).Select(s => $"{s.Value} {s.Key}"));
        return
        [
            new Invariant($"every disposal is in a state its history explains ({summary})", disposalSet.Count, explained),
            new Invariant("a held record is never disposed (its own holds or its case's, by the audit trail's times)", disposalSet.Count, kept),
        ];
    }

    private Invariant ServerErrorsHinted()
    {
        var errors = api.ServerErrors.ToList();
        var violations = errors.Where(e => !e.Hinted && !proxies.Any(p => p.FaultedBetween(e.Sent, e.Answered)) && !cloud.KilledBetween(e.Sent, e.Answered))
            .Select(e => $"{e.Operation} {e.Path} answered {e.Status} with no retry hint and no injected fault")
            .ToList();
        return new Invariant("no client got a 5xx without a retry hint outside injected faults", errors.Count, violations);
    }
}
