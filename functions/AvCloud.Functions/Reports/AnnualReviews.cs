using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Activities;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Http;
using AvCloud.Functions.Identity;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Reports;

/// <summary>
/// What the supervisor or head sends to draw a review. <see cref="Seed"/> is there only to be refused (Art. 17): AvCloud
/// draws the seed itself, so nobody can pick one that leaves a recording out of the sample.
/// </summary>
public sealed record ReviewBody([Required] DateTimeOffset? From, [Required] DateTimeOffset? To, [Required] int? Size, int? Seed = null);

/// <summary>A reviewer's marks for one sampled recording: completeness and clarity from 1 to 5, and two yes/no checks.</summary>
public sealed record ReviewScore(
    string FootageId,
    string ReviewerId,
    int Completeness,
    int Clarity,
    bool OpeningStatement,
    bool KeyMomentsPhotographed,
    string? Notes,
    DateTimeOffset ScoredAt)
{
    /// <summary>Art. 9: the party was told, in the unit's standard words (null: not scored).</summary>
    public bool? PartyInformed { get; init; }

    /// <summary>Art. 10: the place, time, parties, conduct and evidence can be made out (null: not scored).</summary>
    public bool? PartiesAndEvidence { get; init; }
}

public sealed record ScoreBody([Required] string? FootageId, [Required] int? Completeness, [Required] int? Clarity, [Required] bool? OpeningStatement,
    [Required] bool? KeyMomentsPhotographed, string? Notes = null, bool? PartyInformed = null, bool? PartiesAndEvidence = null);

/// <summary>
/// An annual review of recordings (Art. 17), in the <c>activities</c> container: the period, the sample drawn and the
/// seed that draws it again, and the reviewers' scores.
/// </summary>
public sealed record Review : Audit.IAudited<Review>
{
    /// <summary>Audit events of changes to this record that the unit's chain does not hold yet (see <see cref="Audit.PendingAudit"/>).</summary>
    public IReadOnlyList<Audit.PendingAudit> Outbox { get; init; } = [];

    public Review WithOutbox(IReadOnlyList<Audit.PendingAudit> outbox) => this with { Outbox = outbox };

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

    /// <summary>Art. 17: when the review was completed (every sampled recording scored), and by whom.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    public string? CompletedBy { get; init; }

    /// <summary>Art. 17: completed once, when every recording of its sample has a score; the year's review then counts as done.</summary>
    public Outcome<Review> Complete(string by, DateTimeOffset at) => this switch
    {
        { CompletedAt: { } done } => Refusal.Conflict($"The review was completed at {done:O}.", "already completed"),
        // A sample of nothing reviews nothing: it cannot stand for the year's review.
        { FootageIds.Count: 0 } => Refusal.Conflict("The review sampled no recordings; draw one over a period with recordings.", "empty sample"),
        _ when FootageIds.Except(Scores.Select(s => s.FootageId)).Count() is var unscored and > 0 =>
            Refusal.Conflict($"{unscored} recordings of the sample have no score yet.", "not every recording scored"),
        _ => this with { CompletedAt = at, CompletedBy = by },
    };

    /// <summary>Art. 17: a reviewer's marks for one recording of the sample; scoring again replaces that reviewer's earlier marks.</summary>
    public Outcome<Review> Score(ReviewScore score) =>
        FootageIds.Contains(score.FootageId)
            ? this with { Scores = [.. Scores.Where(s => s.FootageId != score.FootageId || s.ReviewerId != score.ReviewerId), score] }
            : Refusal.Invalid("footageId", "Score a recording of this review's sample.");
}

public sealed record ReviewSummary(int Items, int Scored, double? AverageCompleteness, double? AverageClarity, double? OpeningStatementShare,
    double? KeyMomentsPhotographedShare)
{
    /// <summary>The share of scores that found each article's requirement met (null: none scored it).</summary>
    public ArticleShares ByArticle { get; init; } = new(null, null, null, null);
}

/// <summary>Arts. 8 to 11 as review criteria: the opening statement, the party told, the parties and evidence, the photographs.</summary>
public sealed record ArticleShares(double? Art8, double? Art9, double? Art10, double? Art11);

public sealed record ReviewView(Review Review, ReviewSummary Summary);

/// <summary>
/// Art. 17: at least once a year the unit reviews a sample of its recordings. <c>POST /api/reviews</c> (Supervisor,
/// Head) draws a random sample of the unit's recordings in a period with a seed AvCloud draws (cryptographically random),
/// records and shows; the same seed over the same recordings draws the same sample (<see cref="Sample"/>), so anyone can
/// check it was not hand-picked, and nobody can pick the seed. Reviewers, supervisors and the head score each item
/// (<c>POST /api/reviews/{id}/scores</c>) and <c>GET /api/reviews/{id}</c> summarises.
/// </summary>
public sealed class AnnualReviews(ActivityStore reviews, FootageStore footage, TimeProvider time)
{
    [Function("CreateReview")]
    [RequiresRole(Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(ReviewBody))]
    [Answers(StatusCodes.Status201Created, typeof(ReviewView))]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reviews")] HttpRequest request,
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

        if (body.Seed is not null)
        {
            // Art. 17: a seed chosen by the caller could be tried until the sample missed what they want unseen.
            errors["seed"] = ["AvCloud draws the seed itself (cryptographically random) and shows it with the review; a seed cannot be given."];
        }

        ProblemException.ThrowIfAny(errors);
        // Art. 14: the population is what the person drawing may see; else its size over a chosen period would count classified recordings.
        var population = await footage.StoredIdsRecordedInAsync(caller.UnitId, body.From!.Value.ToUniversalTime(), body.To!.Value.ToUniversalTime(),
            AccessRules.ClearanceOf(caller), cancellationToken);
        var seed = RandomNumberGenerator.GetInt32(int.MaxValue);
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
        await reviews.CreateAsync(review, AuditEntry.By(caller, AuditAction.ReviewCreated, $"reviews/{review.Id}", AuditOutcomes.Success,
            new Dictionary<string, string>
            {
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
                ["population"] = population.Count.ToString(CultureInfo.InvariantCulture),
                ["sample"] = review.FootageIds.Count.ToString(CultureInfo.InvariantCulture),
            }), cancellationToken);
        return TypedResults.Created($"/api/reviews/{review.Id}", new ReviewView(review, Summarise(review)));
    }

    [Function("ScoreReviewItem")]
    [RequiresRole(Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Accepts(typeof(ScoreBody))]
    [Answers(StatusCodes.Status200OK, typeof(ReviewView))]
    public async Task<IResult> Score(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reviews/{id}/scores")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var body = await RequestBody.ReadJsonAsync<ScoreBody>(request, 8 * 1024, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (body.FootageId is null)
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
        await ReadAsync(caller, id, cancellationToken);
        var score = new ReviewScore(body.FootageId!, caller.UserId, body.Completeness!.Value, body.Clarity!.Value, body.OpeningStatement!.Value,
            body.KeyMomentsPhotographed!.Value, body.Notes, time.GetUtcNow())
        {
            PartyInformed = body.PartyInformed,
            PartiesAndEvidence = body.PartiesAndEvidence,
        };
        var scored = (await reviews.ChangeReviewAsync(caller.UnitId, id, r => r.Score(score),
            (_, after) => AuditEntry.By(caller, AuditAction.ReviewScored, $"reviews/{id}", AuditOutcomes.Success, new Dictionary<string, string> { ["footage"] = score.FootageId }),
            cancellationToken)).OrRefuse(AuditAction.ReviewScored, $"reviews/{id}");
        return TypedResults.Ok(await ViewAsync(caller, scored, cancellationToken));
    }

    [Function("GetReview")]
    [RequiresRole(Roles.Reviewer, Roles.Supervisor, Roles.Head)]
    [Answers(StatusCodes.Status200OK, typeof(ReviewView))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reviews/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var review = await ReadAsync(caller, id, cancellationToken);
        return TypedResults.Ok(await ViewAsync(caller, review, cancellationToken));
    }

    /// <summary>
    /// Art. 14: the review as <paramref name="caller"/> may read it. A review the keeper or the head drew may sample
    /// classified recordings: to anyone not cleared for them it shows neither those recordings nor their scores, and its
    /// population counts only the recordings of the period they may see, so its numbers say nothing of the rest.
    /// </summary>
    private async Task<ReviewView> ViewAsync(Caller caller, Review review, CancellationToken cancellationToken)
    {
        var clearance = AccessRules.ClearanceOf(caller);
        var withheld = (await footage.WithheldIdsAsync(caller.UnitId, clearance, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        if (withheld.Count == 0)
        {
            return new ReviewView(review, Summarise(review));
        }

        var shown = review with
        {
            FootageIds = [.. review.FootageIds.Where(f => !withheld.Contains(f))],
            Scores = [.. review.Scores.Where(s => !withheld.Contains(s.FootageId))],
            Population = (await footage.StoredIdsRecordedInAsync(caller.UnitId, review.From, review.To, clearance, cancellationToken)).Count,
        };
        return new ReviewView(shown, Summarise(shown));
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
        double? Share(Func<ReviewScore, bool?> of) => scores.Select(of).OfType<bool>().ToList() is { Count: > 0 } given ? Math.Round(given.Average(b => b ? 1.0 : 0), 2) : null;
        return new ReviewSummary(review.FootageIds.Count, scores.Select(s => s.FootageId).Distinct(StringComparer.Ordinal).Count(),
            Average(s => s.Completeness), Average(s => s.Clarity), Average(s => s.OpeningStatement ? 1 : 0), Average(s => s.KeyMomentsPhotographed ? 1 : 0))
        {
            // Arts. 8 to 11: each criterion keyed by the article it checks.
            ByArticle = new ArticleShares(Share(s => s.OpeningStatement), Share(s => s.PartyInformed), Share(s => s.PartiesAndEvidence), Share(s => s.KeyMomentsPhotographed)),
        };
    }

    private async Task<Review> ReadAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await reviews.ReadReviewAsync(caller.UnitId, id, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "Not found.", "No such review in your unit.");
}
