using System.ComponentModel.DataAnnotations;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Officers;

public sealed record OfficerRegistration([Required] string? Id, [Required] string? Name, [Required] IReadOnlyList<DeviceKind>? IssuedKinds, OfficerStatus? Status = null);

public sealed record OfficerChange([Required] string? Name, [Required] OfficerStatus? Status, [Required] IReadOnlyList<DeviceKind>? IssuedKinds);

public sealed record OfficerPage(IReadOnlyList<Officer> Items, string? ContinuationToken);

/// <summary>
/// Art. 3: the unit's roster of enforcement officers and the kinds of recording device each is issued, which the
/// compliance report counts against the unit's devices. <c>POST /api/officers</c> (Keeper, Head) adds one,
/// <c>PUT /api/officers/{id}</c> changes the name, status or issue, <c>GET /api/officers</c> lists them. Audited.
/// </summary>
public sealed class ManageOfficers(DeviceStore devices, TimeProvider time)
{
    private const int MaxBodyBytes = 8 * 1024;

    [Function("RegisterOfficer")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(OfficerRegistration))]
    [Answers(StatusCodes.Status201Created, typeof(Officer))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/officers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<OfficerRegistration>(request, MaxBodyBytes, cancellationToken, errors);
        var id = Fields.Id(body.Id, "id", "officer id", errors);
        var name = Fields.Text(body.Name, "name", 200, errors);
        var issued = Issued(body.IssuedKinds, errors);
        ProblemException.ThrowIfAny(errors);

        var officer = new Officer
        {
            Id = id!,
            UnitId = caller.UnitId,
            Name = name!,
            Status = body.Status ?? OfficerStatus.Active,
            IssuedKinds = issued!,
            RegisteredBy = caller.UserId,
            RegisteredAt = time.GetUtcNow(),
        };
        if (!await devices.RegisterAsync(officer, AuditEntry.By(caller, AuditAction.OfficerRegistered, Target(officer.Id), AuditOutcomes.Success, Details(officer)),
            cancellationToken))
        {
            throw Refusal.Conflict($"Officer {officer.Id} is already on your unit's roster.", "already on the roster").Audited(AuditAction.OfficerRegistered, Target(officer.Id));
        }

        return TypedResults.Created($"/api/officers/{officer.Id}", officer);
    }

    [Function("ChangeOfficer")]
    [RequiresRole(Roles.Keeper, Roles.Head)]
    [Accepts(typeof(OfficerChange))]
    [Answers(StatusCodes.Status200OK, typeof(Officer))]
    [Answers(StatusCodes.Status409Conflict)]
    public async Task<IResult> Change(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/officers/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var errors = new Dictionary<string, string[]>();
        var body = await RequestBody.ReadJsonAsync<OfficerChange>(request, MaxBodyBytes, cancellationToken, errors);
        var name = Fields.Text(body.Name, "name", 200, errors);
        var status = Fields.Required(body.Status, "status", errors);
        var issued = Issued(body.IssuedKinds, errors);
        ProblemException.ThrowIfAny(errors);

        var now = time.GetUtcNow();
        var changed = (await devices.ChangeOfficerAsync(caller.UnitId, id, o => o.Change(name!, status!.Value, issued!, caller.UserId, now),
            (_, after) => AuditEntry.By(caller, AuditAction.OfficerChanged, Target(id), AuditOutcomes.Success, Details(after)),
            cancellationToken)).OrRefuse(AuditAction.OfficerChanged, Target(id));
        return TypedResults.Ok(changed);
    }

    [Function("ListOfficers")]
    [RequiresRole(Roles.Keeper, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(OfficerPage))]
    [Query("status", "active, onLeave or departed.")]
    [Paged]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/officers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var page = await devices.PageOfficersAsync(caller.UnitId, Listing.Enum<OfficerStatus>(request.Query, "status"), request.Query, cancellationToken);
        return TypedResults.Ok(new OfficerPage([.. page], page.ContinuationToken));
    }

    private static IReadOnlyList<DeviceKind>? Issued(IReadOnlyList<DeviceKind>? kinds, Dictionary<string, string[]> errors)
    {
        if (kinds is null || kinds.Count > 20)
        {
            errors["issuedKinds"] = ["List the kinds of device the officer is issued (up to 20; an empty list for none)."];
            return null;
        }

        return [.. kinds.Distinct()];
    }

    private static Dictionary<string, string> Details(Officer officer) => new()
    {
        ["name"] = officer.Name,
        ["status"] = AvCloudJson.Name(officer.Status),
        ["issuedKinds"] = string.Join(", ", officer.IssuedKinds.Select(AvCloudJson.Name)),
    };

    private static string Target(string id) => $"officers/{id}";
}
