// A storage account for footage: version-level WORM containers, no shared keys, no public access, TLS 1.2.
@description('Storage account name (3-24 lower-case letters and digits).')
param name string

param location string

@description('Containers to create; each is version-level immutable when listed in immutableContainers.')
param containers array

param immutableContainers array

@description('Days after which footage moves to the cool tier (0: never).')
param coolAfterDays int = 0

@description('Days after which footage moves to the cold tier (0: never).')
param coldAfterDays int = 0

@description('Blob prefixes the tiering rule applies to.')
param tieringPrefixes array = []

param tags object = {}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_ZRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    defaultToOAuthAuthentication: true
    immutableStorageWithVersioning: {
      enabled: true
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 30
    }
  }
}

resource created 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobs
    name: container
    properties: {
      publicAccess: 'None'
      immutableStorageWithVersioning: {
        enabled: contains(immutableContainers, container)
      }
    }
  }
]

resource tiering 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (coolAfterDays > 0 || coldAfterDays > 0) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          enabled: true
          name: 'footage-tiering'
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: tieringPrefixes
            }
            actions: {
              baseBlob: union(
                coolAfterDays > 0 ? { tierToCool: { daysAfterModificationGreaterThan: coolAfterDays } } : {},
                coldAfterDays > 0 ? { tierToCold: { daysAfterModificationGreaterThan: coldAfterDays } } : {}
              )
            }
          }
        }
      ]
    }
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
