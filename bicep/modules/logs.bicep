// Log Analytics workspace that receives the Container Apps console and system logs.

@description('Azure region of the workspace.')
param location string

@description('Workspace name.')
param name string

@description('Days to keep logs (30 is the free retention of the PerGB2018 tier).')
@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Tags applied to the workspace.')
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

output name string = workspace.name
output id string = workspace.id
