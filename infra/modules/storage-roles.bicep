// The function identity's roles on a footage storage account.
param accountName string

param principalId string

@description('Role definition ids to grant on the account.')
param roles array

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName
}

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    scope: account
    name: guid(account.id, principalId, role)
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]
