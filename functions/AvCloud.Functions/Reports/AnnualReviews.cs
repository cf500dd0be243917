using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Cosmos;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Cosmos;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Reports;

public sealed record ReviewBody(DateTimeOffset? From, DateTimeOffset? To, int? Size, int? Seed);

/// <summary>A reviewer's marks for one sampled recording: completeness and clarity from 1 to 5, and two yes/no checks.</summary>
public sealed record ReviewScore(
    string FootageId,
    string ReviewerId,
    int Completeness,
    int Clarity,
    bool OpeningStatement,
    bool KeyMomentsPhotographed,
    string? Notes,
    DateTimeOffset ScoredAt);

public sealed record ScoreBody(string? FootageId, int? Completeness, int? Clarity, bool? OpeningStatement, bool? KeyMomentsPhotographed, string? Notes);

/// <summary>
/// An annual review of recordings (Art. 17), in the <c>activities</c> container: the period, the sample drawn and the
/// seed that draws it again, and the reviewers' scores.
/// </summary>
public sealed record Review
{
    public const string DocumentType = "review";

    public required string Id { get; init; }

    public required string UnitId { get; init; }

    public string Type { get; init; } = DocumentType;

    public int SchemaVersion { get; init; } = 1;

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    public required int Seed { get; init; }

    public required int Population { get; init; }

    public required IReadOnlyList<string> FootageIds { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<ReviewScore> Scores { get; init; } = [];
}

public sealed record ReviewSummary(int Items, int Scored, double? AverageCompleteness, double? AverageClarity, double? OpeningStatementShare,
    double? KeyMomentsPhotographedShare);

public sealed record ReviewView(Review Review, ReviewSummary Summary);

/// <summary>
/// Art. 17: at least once a year the unit reviews a sample of its recordings. <c>POST /api/reviews</c> (Supervisor,
/// Head) draws a random sample of the unit's recordings in a period; the same seed over the same recordings draws the
/// same sample, so anyone can check it was not hand-picked. Reviewers score each item
/// (<c>POST /api/reviews/{id}/scores</c>) and <c>GET /api/reviews/{id}</c> summarises.
/// </summary>
public sealed class AnnualReviews(Database database, AuditTrail audit, TimeProvider time)
{
    private Container Reviews => database.GetContainer(CosmosContainers.Activities);

    [Function("CreateReview")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(ReviewBody))]
    [Answers(StatusCodes.Status201Created, typeof(ReviewView))]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "reviews")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ReviewBody>(request, 4096, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (body.From is not { } from || body.To is not { } to || to < from)
        {
            errors["to"] = ["Give the period: from and to, to not before from."];
        }

        if (body.Size is not (>= 1 and <= 500))
        {
            errors["size"] = ["The sample size is 1 to 500."];
        }

        ProblemException.ThrowIfAny(errors);
        var population = new List<string>();
        var query = new QueryDefinition("SELECT VALUE c.id FROM c WHERE c.type = @type AND c.correctedStart >= @from AND c.correctedStart <= @to AND c.status != 'purged' AND c.status != 'quarantined'")
            .WithParameter("@type", FootageRecord.DocumentType).WithParameter("@from", body.From!.Value.ToUniversalTime()).WithParameter("@to", body.To!.Value.ToUniversalTime());
        await foreach (var id in database.GetContainer(CosmosContainers.Footage).QueryAllAsync<string>(query,
            new QueryRequestOptions { PartitionKey = new PartitionKey(caller.UnitId) }, cancellationToken))
        {
            population.Add(id);
        }

        var seed = body.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var review = new Review
        {
            Id = Guid.NewGuid().ToString("N"),
            UnitId = caller.UnitId,
            From = body.From!.Value.ToUniversalTime(),
            To = body.To!.Value.ToUniversalTime(),
            Seed = seed,
            Population = population.Count,
            FootageIds = Sample(population, body.Size!.Value, seed),
            CreatedBy = caller.UserId,
            CreatedAt = time.GetUtcNow(),
        };
        await Reviews.CreateItemAsync(review, new PartitionKey(caller.UnitId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "review.created", $"reviews/{review.Id}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
                ["population"] = population.Count.ToString(CultureInfo.InvariantCulture),
                ["sample"] = review.FootageIds.Count.ToString(CultureInfo.InvariantCulture),
            }), cancellationToken);
        return TypedResults.Created($"/api/reviews/{review.Id}", new ReviewView(review, Summarise(review)));
    }

    [Function("ScoreReviewItem")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(ScoreBody))]
    [Answers(StatusCodes.Status200OK, typeof(ReviewView))]
    public async Task<IResult> Score(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "reviews/{id}/scores")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ScoreBody>(request, 8 * 1024, cancellationToken);
        var review = await ReadAsync(caller, id, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (body.FootageId is null || !review.FootageIds.Contains(body.FootageId))
        {
            errors["footageId"] = ["Score a recording of this review's sample."];
        }

        if (body.Completeness is not (>= 1 and <= 5) || body.Clarity is not (>= 1 and <= 5))
        {
            errors["completeness"] = ["Completeness and clarity are scored 1 to 5."];
        }

        if (body.OpeningStatement is null || body.KeyMomentsPhotographed is null)
        {
            errors["openingStatement"] = ["Say whether the opening statement was recorded and the key moments photographed (true or false)."];
        }

        if (body.Notes?.Length > 2000)
        {
            errors["notes"] = ["Notes are up to 2000 characters."];
        }

        ProblemException.ThrowIfAny(errors);
        var score = new ReviewScore(body.FootageId!, caller.UserId, body.Completeness!.Value, body.Clarity!.Value, body.OpeningStatement!.Value,
            body.KeyMomentsPhotographed!.Value, body.Notes, time.GetUtcNow());
        // One score per reviewer and recording: scoring again replaces it.
        var scored = await Documents.ChangeAsync<Review>(Reviews, id, caller.UnitId, r => r with
        {
            Scores = [.. r.Scores.Where(s => s.FootageId != score.FootageId || s.ReviewerId != score.ReviewerId), score],
        }, cancellationToken);
        await audit.AppendAsync(AuditEntry.By(caller, "review.scored", $"reviews/{id}", AuditOutcomes.Success,
            new Dictionary<string, string> { ["footage"] = score.FootageId }), cancellationToken);
        return TypedResults.Ok(new ReviewView(scored!, Summarise(scored!)));
    }

    [Function("GetReview")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReviewView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reviews/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var review = await ReadAsync(request.Caller(), id, cancellationToken);
        return TypedResults.Ok(new ReviewView(review, Summarise(review)));
    }

    /// <summary>
    /// <paramref name="size"/> of <paramref name="population"/>, drawn by <paramref name="seed"/>: each id is ranked by
    /// SHA-256 of the seed and the id, and the lowest ranks are taken. The same seed and recordings give the same sample on
    /// any machine and runtime; the order the recordings were listed in does not matter.
    /// </summary>
    public static IReadOnlyList<string> Sample(IEnumerable<string> population, int size, int seed) =>
        [.. population.Distinct(StringComparer.Ordinal)
            .OrderBy(id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seed}:{id}")))), StringComparer.Ordinal)
            .Take(size)];

    public static ReviewSummary Summarise(Review review)
    {
        var scores = review.Scores;
        double? Average(Func<ReviewScore, double> of) => scores.Count == 0 ? null : Math.Round(scores.Average(of), 2);
        return new ReviewSummary(review.FootageIds.Count, scores.Select(s => s.FootageId).Distinct(StringComparer.Ordinal).Count(),
            Average(s => s.Completeness), Average(s => s.Clarity), Average(s => s.OpeningStatement ? 1 : 0), Average(s => s.KeyMomentsPhotographed ? 1 : 0));
    }

    private async Task<Review> ReadAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        (await Documents.ReadAsync<Review>(Reviews, id, caller.UnitId, cancellationToken))?.Document is { Type: Review.DocumentType } review
            ? review
            : throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such review in your unit.");
}
