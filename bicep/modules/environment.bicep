// Container Apps environment with two workload profiles: Consumption (API) and a serverless GPU profile
// (workers). Serverless GPUs need a workload-profiles environment; a Consumption-only environment cannot
// host them.

@description('Azure region of the environment (must offer the chosen serverless GPU; see infra/README.md).')
param location string

@description('Environment name.')
param name string

@description('Name of the Log Analytics workspace that receives console and system logs.')
param logAnalyticsWorkspaceName string

@description('Name the GPU workload profile gets inside the environment; apps and jobs refer to it.')
param gpuProfileName string

@description('Serverless GPU profile type: NVIDIA T4 or A100.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Mount the model share (modelShare.bicep) as environment storage named "models".')
param modelShareEnabled bool

@description('Account that holds the model share; used only when modelShareEnabled is true.')
param modelShareAccountName string

@description('Model share name; used only when modelShareEnabled is true.')
param modelShareName string

@description('Tags applied to the environment.')
param tags object

// Name the workers' volume definition refers to (gpuWorkerApp.bicep, gpuWorkerJob.bicep).
var modelStorageName = 'models'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource modelShareAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = if (modelShareEnabled) {
  name: modelShareAccountName
}

resource managedEnvironment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource modelStorage 'Microsoft.App/managedEnvironments/storages@2025-07-01' = if (modelShareEnabled) {
  parent: managedEnvironment
  name: modelStorageName
  properties: {
    azureFile: {
      accountName: modelShareAccountName
      accountKey: modelShareAccount.listKeys().keys[0].value
      shareName: modelShareName
      accessMode: 'ReadOnly'
    }
  }
}

output id string = managedEnvironment.id
output name string = managedEnvironment.name
output modelStorageName string = modelShareEnabled ? modelStorageName : ''
