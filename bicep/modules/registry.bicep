// Azure Container Registry for the API and worker images. No admin user: apps pull with their managed
// identity (AcrPull, granted in identity.bicep). Premium adds artifact streaming, which shortens GPU cold
// starts (the worker image is several GB because of the CUDA libraries).

@description('Azure region of the registry.')
param location string

@description('Registry name: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param name string

@description('Registry tier. Premium is needed for artifact streaming.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string

@description('Tags applied to the registry.')
param tags object

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = registry.name
output id string = registry.id
output loginServer string = registry.properties.loginServer
