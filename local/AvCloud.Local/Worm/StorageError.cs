using System.Globalization;
using System.Security;

namespace AvCloud.Local.Worm;

/// <summary>A Blob service error as Azure returns it: status, <c>x-ms-error-code</c> and an XML body.</summary>
public sealed record StorageError(int Status, string Code, string Message)
{
    // Codes and messages from Azure's recorded sessions and the Blob service error reference.
    public static StorageError ImmutableDueToPolicy { get; } =
        new(409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a policy.");

    public static StorageError ImmutableDueToLegalHold { get; } =
        new(409, "BlobImmutableDueToLegalHold", "This operation is not permitted as the blob is immutable due to one or more legal holds.");

    public static StorageError PolicyInThePast { get; } =
        new(400, "InvalidExpiryTime", "The expiry time specified is in the past.");

    public static StorageError LockedPolicyCannotBeDeleted { get; } =
        new(409, "ImmutabilityPolicyDeleteOnLockedPolicy", "This operation is not permitted as the immutability policy is locked.");

    // Azure documents that a Locked policy can only be extended, but no recorded session shows the code it returns
    // for a shorter date or a switch back to Unlocked; the blob stays immutable due to its policy, so that is the answer.
    public static StorageError LockedPolicyCannotBeShortened { get; } =
        new(409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a locked policy, which can only be extended.");

    public static StorageError LockedPolicyCannotBeUnlocked { get; } =
        new(409, "BlobImmutableDueToPolicy", "This operation is not permitted as the blob is immutable due to a locked policy, which cannot be unlocked.");

    public static StorageError ContainerHoldsImmutableBlobs { get; } =
        new(409, "ContainerImmutableStorageWithVersioningEnabled", "The requested operation is not allowed as the container has a immutable storage with versioning enabled.");

    public static StorageError BlobNotFound { get; } =
        new(404, "BlobNotFound", "The specified blob does not exist.");

    public static StorageError PermissionMismatch { get; } =
        new(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.");

    public static StorageError MissingHeader(string header) =>
        new(400, "MissingRequiredHeader", $"An HTTP header that's mandatory for this request is not specified.\nHeaderName:{header}");

    public static StorageError InvalidHeader(string header) =>
        new(400, "InvalidHeaderValue", $"The value for one of the HTTP headers is not in the correct format.\nHeaderName:{header}");

    public static StorageError BatchTouchesImmutableBlob { get; } =
        new(409, "BlobImmutableDueToPolicy", "A batch request deletes or overwrites a blob that is immutable; the local gateway refuses the whole batch.");

    public async Task WriteAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString();
        http.Response.StatusCode = Status;
        http.Response.ContentType = "application/xml";
        http.Response.Headers["x-ms-error-code"] = Code;
        WormGateway.AddStandardHeaders(http, requestId);
        var time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        await http.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Error><Code>{Code}</Code><Message>{SecurityElement.Escape(Message)}\nRequestId:{requestId}\nTime:{time}</Message></Error>");
    }
}
