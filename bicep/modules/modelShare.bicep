// Optional Azure Files share for model weights too large for a replica's ephemeral disk (8 GiB on
// Container Apps). The share lives in its own account because Container Apps mounts SMB shares with the
// account key: the data account keeps Shared Key disabled, and this account holds nothing but read-only
// model files. Premium (FileStorage) shares give the throughput a cold GPU replica needs to read ~20 GB.

@description('Azure region of the account.')
param location string

@description('Account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Share that holds one folder per model version.')
param shareName string

@description('Share size in GiB (Premium bills provisioned size; throughput grows with it).')
@minValue(100)
@maxValue(102400)
param quotaGiB int

@description('Premium_LRS (FileStorage, provisioned, faster cold starts) or Standard_LRS (StorageV2, pay per use).')
@allowed([
  'Premium_LRS'
  'Standard_LRS'
])
param sku string

@description('Tags applied to the account.')
param tags object

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: sku == 'Premium_LRS' ? 'FileStorage' : 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Container Apps mounts SMB shares with the account key (managedEnvironments/storages.azureFile).
    allowSharedKeyAccess: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2025-01-01' = {
  parent: fileService
  name: shareName
  properties: {
    shareQuota: quotaGiB
    enabledProtocols: 'SMB'
  }
}

output accountName string = account.name
output shareName string = share.name
