using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;

namespace AvCloud.Functions.Ingest;

/// <summary>Runs for every blob committed to <c>ingest</c> (Event Grid BlobCreated); see <see cref="Cataloguer"/>.</summary>
public sealed class CatalogueUpload(Cataloguer cataloguer)
{
    // Exceptions propagate: the platform redelivers the event, and the cataloguer converges on a re-run.
    [Function(nameof(CatalogueUpload))]
    public Task Run(
        [BlobTrigger("ingest/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AvCloudIngest")] BlobClient blob,
        CancellationToken cancellationToken) =>
        cataloguer.CatalogueAsync(blob.Name, cancellationToken);
}
