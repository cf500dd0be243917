using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AvCloud.Functions.Access;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Accountability;

public sealed record MisconductCaseBody([Required] string? PersonId, [Required] MisconductItem? Item, [Required] string? Description,
    IReadOnlyList<string>? FootageIds = null, IReadOnlyList<long>? AuditEvents = null, bool? Hold = null);

public sealed record MisconductCloseBody([Required] string? Finding, [Required] MisconductOutcome? Outcome);

public sealed record MisconductCaseList(IReadOnlyList<MisconductCaseView> Items);

/// <summary>
/// Art. 18: misconduct cases. <c>POST /api/misconduct-cases</c> (Supervisor, Head) opens one about a person, naming the
/// item of Art. 18, the recordings and the audit events (by sequence) involved, and, with <c>hold</c>, places a
/// preservation hold on those recordings (Art. 16, the same hold the keeper places); <c>POST .../{id}/close</c>
/// (Supervisor, Head, never the person the case is about) records the finding and outcome; <c>GET</c> lists and reads
/// them. Audited; the compliance report shows them. Art. 14: recordings the reader may not see are counted, not shown,
/// and cannot be named by someone not cleared for them.
/// </summary>
public sealed class MisconductCases(ActivityStore cases, FootageStore footage, FootageHolds holds, AuditTrail audit, TimeProvider time)
{
    [Function("OpenMisconductCase")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(MisconductCaseBody))]
    [Answers(StatusCodes.Status201Created, typeof(MisconductCaseView))]
    public async Task<IResult> Open(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/misconduct-cases")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<MisconductCaseBody>(request, 32 * 1024, cancellationToken, errors);
        var person = Fields.Id(body.PersonId, "personId", "person id", errors);
        var item = Fields.Required(body.Item, "item", errors);
        var description = Fields.Text(body.Description, "description", 4000, errors);
        var footageIds = (body.FootageIds ?? []).Distinct(StringComparer.Ordinal).ToList();
        var events = (body.AuditEvents ?? []).Distinct().Order().ToList();
        if (footageIds.Count > 100 || events.Count > 200)
        {
            errors["footageIds"] = ["Up to 100 recordings and 200 audit events."];
        }

        ProblemException.ThrowIfAny(errors);
        // Art. 14: only recordings of the unit the caller may see can be named; the others are "no such footage" to them.
        var clearance = AccessRules.ClearanceOf(caller);
        var found = await footage.ByIdsAsync(caller.UnitId, footageIds, cancellationToken);
        if (footageIds.FirstOrDefault(id => !found.TryGetValue(id, out var r) || !clearance.Sees(r.Classification) || r.Status == FootageStatus.Purged) is { } unknown)
        {
            errors["footageIds"] = [$"No such footage in your unit: {unknown}."];
        }

        var head = await audit.ReadHeadAsync(caller.UnitId, cancellationToken);
        if (events.Any(s => s < 1 || s > (head?.Sequence ?? 0)))
        {
            errors["auditEvents"] = ["Name audit events of your unit by their sequence in its chain."];
        }

        if (body.Hold == true && footageIds.Count == 0)
        {
            errors["hold"] = ["Name the recordings to hold."];
        }

        ProblemException.ThrowIfAny(errors);
        var opened = new MisconductCase
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            PersonId = person!,
            Item = item!.Value,
            Description = description!,
            FootageIds = footageIds,
            AuditEvents = events,
            Held = body.Hold == true,
            OpenedBy = caller.UserId,
            OpenedAt = time.GetUtcNow(),
        }.OpenableBy(caller).OrRefuse(AuditAction.MisconductCaseOpened, "misconduct-cases", new Dictionary<string, string> { ["person"] = person! });

        await cases.CreateAsync(opened, AuditEntry.By(caller, AuditAction.MisconductCaseOpened, Target(opened.Id), AuditOutcomes.Success, new Dictionary<string, string>
        {
            ["person"] = opened.PersonId,
            ["item"] = AvCloudJson.Name(opened.Item),
            ["footage"] = string.Join(", ", opened.FootageIds),
            ["auditEvents"] = string.Join(", ", opened.AuditEvents.Select(s => s.ToString(CultureInfo.InvariantCulture))),
            ["hold"] = opened.Held ? "true" : "false",
        }), cancellationToken);

        // Art. 16 for Art. 18: the recordings of the case are kept beyond their period, in two copies, under the case.
        if (opened.Held)
        {
            foreach (var id in opened.FootageIds)
            {
                (await holds.PlaceAsync(caller, id, new PreservationHold(Guid.NewGuid().ToString("N"), HoldReason.Other,
                    $"Art. 18 misconduct case ({AvCloudJson.Name(opened.Item)}) about {opened.PersonId}", "misconduct case", opened.Id, caller.UserId, caller.UserId, opened.OpenedAt),
                    cancellationToken)).OrRefuse(AuditAction.HoldPlaced, $"footage/{id}");
            }
        }

        return TypedResults.Created($"/api/misconduct-cases/{opened.Id}", opened.ViewFor(new HashSet<string>()));
    }

    [Function("CloseMisconductCase")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(MisconductCloseBody))]
    [Answers(StatusCodes.Status200OK, typeof(MisconductCaseView))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Close(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/misconduct-cases/{id}/close")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<MisconductCloseBody>(request, 16 * 1024, cancellationToken, errors);
        var finding = Fields.Text(body.Finding, "finding", 4000, errors);
        var outcome = Fields.Required(body.Outcome, "outcome", errors);
        ProblemException.ThrowIfAny(errors);

        var now = time.GetUtcNow();
        var closed = (await cases.ChangeMisconductCaseAsync(caller.UnitId, id, c => c.Close(caller, finding!, outcome!.Value, now),
            (_, after) => AuditEntry.By(caller, AuditAction.MisconductCaseClosed, Target(id), AuditOutcomes.Success, new Dictionary<string, string>
            {
                ["person"] = after.PersonId,
                ["outcome"] = AvCloudJson.Name(after.Outcome!.Value),
                ["finding"] = after.Finding!,
            }),
            cancellationToken)).OrRefuse(AuditAction.MisconductCaseClosed, Target(id));
        return TypedResults.Ok(closed.ViewFor(await WithheldAsync(caller, cancellationToken)));
    }

    [Function("ListMisconductCases")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(MisconductCaseList))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/misconduct-cases")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var withheld = await WithheldAsync(caller, cancellationToken);
        return TypedResults.Ok(new MisconductCaseList([.. (await cases.MisconductCasesAsync(caller.UnitId, cancellationToken)).Select(c => c.ViewFor(withheld))]));
    }

    [Function("GetMisconductCase")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(MisconductCaseView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/misconduct-cases/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var found = await cases.ReadMisconductCaseAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such misconduct case in your unit.");
        return TypedResults.Ok(found.ViewFor(await WithheldAsync(caller, cancellationToken)));
    }

    private async Task<IReadOnlySet<string>> WithheldAsync(Caller caller, CancellationToken cancellationToken) =>
        (await footage.WithheldIdsAsync(caller.UnitId, AccessRules.ClearanceOf(caller), cancellationToken)).ToHashSet(StringComparer.Ordinal);

    private static string Target(string id) => $"misconduct-cases/{id}";
}
