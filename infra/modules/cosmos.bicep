// Cosmos DB (NoSQL): the avcloud database, every container partitioned by /unitId, keys off (Entra only).
param name string

param location string

@description('The database and its containers, each with its indexing policy.')
param databaseName string

param containers array

@description('Principal (the function app\'s managed identity) given data access.')
param principalId string

param tags object = {}

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource created 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            '/unitId'
          ]
          kind: 'Hash'
        }
        indexingPolicy: container.indexingPolicy
      }
    }
  }
]

// The audit trail is append-only for the app: it may create events and read them, never replace or delete one.
resource auditWriter 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2024-11-15' = {
  parent: account
  name: guid(account.id, 'avcloud-audit-append-only')
  properties: {
    roleName: 'AvCloud audit append-only'
    type: 'CustomRole'
    assignableScopes: [
      '${account.id}/dbs/${databaseName}/colls/audit'
    ]
    permissions: [
      {
        dataActions: [
          'Microsoft.DocumentDB/databaseAccounts/readMetadata'
          'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/create'
          'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read'
          'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery'
          'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/readChangeFeed'
        ]
      }
    ]
  }
}

// Built-in Cosmos DB Data Contributor on every container but audit.
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource contributors 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = [
  for container in filter(containers, c => c.name != 'audit'): {
    parent: account
    name: guid(account.id, principalId, container.name, dataContributor)
    properties: {
      principalId: principalId
      roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
      scope: '${account.id}/dbs/${databaseName}/colls/${container.name}'
    }
    dependsOn: [
      created
    ]
  }
]

resource auditAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, 'audit', 'append-only')
  properties: {
    principalId: principalId
    roleDefinitionId: auditWriter.id
    scope: '${account.id}/dbs/${databaseName}/colls/audit'
  }
  dependsOn: [
    created
  ]
}

output endpoint string = account.properties.documentEndpoint
output name string = account.name
