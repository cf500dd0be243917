// AvCloud in one resource group: footage storage (WORM), the preservation copy in a second region, Cosmos DB, and the
// function app with its identity, roles and monitoring. The Event Grid subscription is a second step (events.bicep),
// deployed after the code because it needs the function's blob webhook key.
targetScope = 'resourceGroup'

@description('Short name the resources are named after (lower-case letters and digits, 3-11 characters).')
@minLength(3)
@maxLength(11)
param prefix string

@description('Region of everything but the preservation copy.')
param location string = resourceGroup().location

@description('Region of the preservation account (Art. 16: the second copy lives apart from the first).')
param preservationLocation string

@description('Entra ID tenant whose tokens the app accepts.')
param tenantId string = tenant().tenantId

@description('Application ID URI of the AvCloud app registration (tokens\' audience), e.g. api://avcloud.')
param audience string

@description('Locked in production; Unlocked only for a trial (policies can then be shortened or removed).')
@allowed([
  'Locked'
  'Unlocked'
])
param policyMode string = 'Locked'

@description('Days after which footage moves to the cool tier, and to the cold tier (0: never).')
param coolAfterDays int = 90

param coldAfterDays int = 365

@description('Life of the read link one view under an access request, or one play of an external share, hands out (hh:mm:ss).')
param readLinkLifetime string = '00:05:00'

param tags object = {
  application: 'avcloud'
}

var suffix = uniqueString(resourceGroup().id)
var footageContainers = [
  'ingest'
  'footage'
  'quarantine'
]

module footage 'modules/storage.bicep' = {
  name: 'footage-storage'
  params: {
    name: take('${prefix}footage${suffix}', 24)
    location: location
    containers: footageContainers
    immutableContainers: [
      'footage'
    ]
    coolAfterDays: coolAfterDays
    coldAfterDays: coldAfterDays
    tieringPrefixes: [
      'footage/'
    ]
    tags: tags
  }
}

module preservation 'modules/storage.bicep' = {
  name: 'preservation-storage'
  params: {
    name: take('${prefix}keep${suffix}', 24)
    location: preservationLocation
    containers: [
      'preservation'
    ]
    immutableContainers: [
      'preservation'
    ]
    tags: tags
  }
}

// The catalogue's containers. The composite indexes serve the retention sweep (type, status, retentionUntil) and the
// catalogue listings and searches (type, then time, newest first).
var byTypeAndTime = [
  {
    path: '/type'
    order: 'ascending'
  }
  {
    path: '/correctedStart'
    order: 'descending'
  }
]
var defaultIndexing = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [
    {
      path: '/*'
    }
  ]
  excludedPaths: [
    {
      path: '/"_etag"/?'
    }
  ]
}
var cosmosContainers = [
  {
    name: 'footage'
    indexingPolicy: union(defaultIndexing, {
      compositeIndexes: [
        [
          {
            path: '/type'
            order: 'ascending'
          }
          {
            path: '/status'
            order: 'ascending'
          }
          {
            path: '/retentionUntil'
            order: 'ascending'
          }
        ]
        byTypeAndTime
      ]
    })
  }
  {
    name: 'uploads'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'requests'
    indexingPolicy: union(defaultIndexing, {
      compositeIndexes: [
        [
          {
            path: '/type'
            order: 'ascending'
          }
          {
            path: '/requestedAt'
            order: 'descending'
          }
        ]
      ]
    })
  }
  {
    name: 'devices'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'activities'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'shares'
    indexingPolicy: union(defaultIndexing, {
      compositeIndexes: [
        [
          {
            path: '/type'
            order: 'ascending'
          }
          {
            path: '/createdAt'
            order: 'descending'
          }
        ]
      ]
    })
  }
  {
    name: 'units'
    indexingPolicy: defaultIndexing
  }
  {
    name: 'audit'
    indexingPolicy: union(defaultIndexing, {
      compositeIndexes: [
        [
          {
            path: '/type'
            order: 'ascending'
          }
          {
            path: '/sequence'
            order: 'ascending'
          }
        ]
      ]
    })
  }
]

// The identity the functions run as: every data role below is granted to it, and nothing else.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-${suffix}-identity'
  location: location
  tags: tags
}

module app 'modules/functionapp.bicep' = {
  name: 'function-app'
  params: {
    name: '${prefix}-${suffix}'
    location: location
    tags: tags
    identityName: identity.name
    appSettings: {
      AvCloud__Storage__BlobServiceUri: footage.outputs.blobEndpoint
      AvCloud__Storage__PreservationServiceUri: preservation.outputs.blobEndpoint
      AvCloud__Cosmos__Endpoint: cosmos.outputs.endpoint
      AvCloud__Cosmos__Database: 'avcloud'
      AvCloud__Identity__MetadataAddress: '${environment().authentication.loginEndpoint}${tenantId}/v2.0/.well-known/openid-configuration'
      AvCloud__Identity__Audience: audience
      AvCloud__Retention__PolicyMode: policyMode
      AvCloud__Access__ViewLinkLifetime: readLinkLifetime
      AvCloud__Shares__PlayLinkLifetime: readLinkLifetime
      AvCloud__Signing__Signer: 'KeyVault'
      AvCloud__Signing__Vault: signing.outputs.vaultUri
      AvCloud__Signing__Name: signing.outputs.keyName
      AvCloudIngest__blobServiceUri: footage.outputs.blobEndpoint
      AvCloudIngest__queueServiceUri: replace(footage.outputs.blobEndpoint, '.blob.', '.queue.')
      AvCloudIngest__credential: 'managedidentity'
    }
  }
}

// Evidence packages are signed by a Key Vault key the app uses only through Key Vault's sign operation.
module signing 'modules/keyvault.bicep' = {
  name: 'signing'
  params: {
    name: take('${prefix}-kv-${suffix}', 24)
    location: location
    keyName: 'evidence-packages'
    principalId: identity.properties.principalId
    tags: tags
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    name: take('${prefix}-cosmos-${suffix}', 44)
    location: location
    databaseName: 'avcloud'
    containers: cosmosContainers
    principalId: identity.properties.principalId
    tags: tags
  }
}

// Storage Blob Data Owner (immutability policies, legal holds, reading to verify), Storage Blob Delegator
// (user-delegation keys for read links and upload URLs) and Storage Queue Data Contributor (the blob trigger).
module footageAccess 'modules/storage-roles.bicep' = {
  name: 'footage-access'
  params: {
    accountName: footage.outputs.name
    principalId: identity.properties.principalId
    roles: [
      'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
      'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
      '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
    ]
  }
}

module preservationAccess 'modules/storage-roles.bicep' = {
  name: 'preservation-access'
  params: {
    accountName: preservation.outputs.name
    principalId: identity.properties.principalId
    roles: [
      'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
    ]
  }
}

output functionAppName string = app.outputs.name
output functionHostName string = app.outputs.hostName
output footageAccountName string = footage.outputs.name
output preservationAccountName string = preservation.outputs.name
output cosmosEndpoint string = cosmos.outputs.endpoint
