// Second step, after the code is deployed: BlobCreated events on `ingest` go to the function's blob webhook
// (CatalogueUpload, Source = EventGrid). The webhook key exists only once the app runs, so this is a deployment of its own.
targetScope = 'resourceGroup'

@description('The footage storage account (output footageAccountName of main.bicep).')
param footageAccountName string

@description('The function app (output functionAppName of main.bicep).')
param functionAppName string

param location string = resourceGroup().location

@description('The blob-triggered function that catalogues uploads.')
param functionName string = 'CatalogueUpload'

resource footage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: footageAccountName
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: '${footageAccountName}-events'
  location: location
  properties: {
    source: footage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource toCatalogue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'ingest-to-catalogue'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${listKeys('${app.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/ingest/'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
