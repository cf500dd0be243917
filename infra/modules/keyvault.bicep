// The key evidence packages are signed with (ES256): a P-256 key in Key Vault that never leaves it. The function app's
// identity may only sign with it and read its public part (Key Vault Crypto User on this key), not export or delete it.
param name string

param location string

@description('The name of the signing key (AvCloud__Signing__Name).')
param keyName string

@description('The function app\'s identity (principal id), which signs with the key.')
param principalId string

param tags object = {}

// Key Vault Crypto User: perform cryptographic operations with a key and read its metadata and public part.
var cryptoUser = '12338af0-0e69-4776-bea7-57ae8d297424'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted signing key could never be recovered, and packages signed with it could then not be checked against it.
    enablePurgeProtection: true
  }
}

resource key 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: keyName
  tags: tags
  properties: {
    kty: 'EC'
    curveName: 'P-256'
    keyOps: [
      'sign'
      'verify'
    ]
  }
}

resource signer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(key.id, principalId, cryptoUser)
  scope: key
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output vaultUri string = vault.properties.vaultUri

output keyName string = key.name
