// The storage account the service runs on: task hub queues and blobs, manuscripts in, illustrated books out.
// Production posture: Entra ID only (Shared Key off), TLS 1.2, HTTPS only, no anonymous blob access.
// Every queue the runtime and the KEDA scale rule need is created here, so a worker that scales from zero
// never polls a queue that does not exist yet.

@description('Azure region of the account.')
param location string

@description('Account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Allow Shared Key (account key and SAS) authorization. Keep false in production; the apps use Entra ID tokens from their managed identity. Set true only for tools that cannot use Entra ID.')
param allowSharedKeyAccess bool

@description('Queues to create (task hub control and activity queues, the upload-notification queue).')
param queueNames array

@description('Blob containers to create (manuscripts, illustrated, datasets, models).')
param containerNames array

@description('Tags applied to the account.')
param tags object

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    // Blob soft delete stays off: the task hub rewrites its state blobs on every checkpoint, and soft delete
    // would keep a billed copy of every overwritten version. Deleted containers are recoverable for a week.
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
