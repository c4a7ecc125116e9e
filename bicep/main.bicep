// MiniGPT-5 batch illustration on Azure: Storage (task hub, manuscripts, books), a user-assigned identity
// with data-plane roles, a container registry, Log Analytics, and a Container Apps environment running
//   - the API + orchestrator host (`minigpt5 serve`) on the Consumption profile, always at least 1 replica;
//   - the GPU activity workers (`minigpt5 worker --task-queue gpu`) on a serverless GPU profile, scaled
//     from zero on the length of the task hub gpu activity queue (a container app, or an event-triggered
//     job when useJobsForGpuWorkers is true).
// No secrets in settings: every client authenticates to Storage and the registry with the managed identity.
// Walkthrough, costs and scaling: infra/README.md.

targetScope = 'resourceGroup'

@description('Azure region for every resource. It must offer the chosen serverless GPU profile (infra/README.md lists the regions).')
param location string = resourceGroup().location

@description('Short prefix for resource names (lowercase letters, digits, hyphens).')
@minLength(3)
@maxLength(12)
param namePrefix string = 'minigpt5'

@description('Image tag to run for both images (minigpt5-api and minigpt5-worker in the registry).')
param imageTag string

@description('False creates only the shared resources (registry, storage, identity, logs, environment) so images can be pushed before the apps that pull them exist; true deploys the apps too.')
param deployApps bool = true

@description('Durable task hub name (MiniGpt5__TaskHub). Queue and container names derive from it: lowercase letters and digits, 3-40 characters.')
@minLength(3)
@maxLength(40)
param taskHubName string = 'minigpt5'

@description('Control-queue partitions of the task hub (MiniGpt5__PartitionCount). More partitions let more API replicas run orchestrations in parallel. Changing it on a live hub is not supported.')
@minValue(1)
@maxValue(16)
param partitionCount int = 4

@description('Serverless GPU for the workers: T4 (16 GB, 8 vCPU/56 GiB replicas) or A100 (80 GB, 24 vCPU/220 GiB replicas).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Most GPU replicas (or concurrent job executions) at once; bounded by your serverless GPU quota.')
@minValue(1)
@maxValue(100)
param gpuMaxReplicas int = 2

@description('Queued gpu steps per GPU replica that the scaler aims for. Keep 1: a replica runs one step at a time.')
@minValue(1)
param gpuQueueLength int = 1

@description('Seconds between KEDA checks of the gpu queue length.')
@minValue(5)
@maxValue(300)
param scalePollingIntervalSeconds int = 15

@description('Seconds the GPU workers stay up after the queue empties (billed; avoids a cold start for the next step).')
@minValue(0)
@maxValue(3600)
param scaleCooldownSeconds int = 300

@description('Seconds a stopping GPU replica gets to hand its message back before it is killed.')
@minValue(0)
@maxValue(600)
param workerTerminationGracePeriodSeconds int = 120

@description('Run GPU workers as an event-triggered Container Apps Job (one execution per burst, run to completion) instead of a queue-scaled container app.')
param useJobsForGpuWorkers bool = false

@description('Jobs only: the longest one execution may run, in seconds.')
@minValue(60)
param jobReplicaTimeoutSeconds int = 3600

@description('Jobs only: seconds without work after which an execution exits.')
@minValue(1)
param jobExitWhenIdleSeconds int = 60

@description('API replicas that always run (orchestrations progress only while a host polls the control queues).')
@minValue(1)
param apiMinReplicas int = 1

@description('Most API replicas under HTTP load.')
@minValue(1)
param apiMaxReplicas int = 3

@description('Allow Shared Key (account key, SAS) on the data storage account. False in production.')
param allowSharedKeyAccess bool = false

@description('Registry tier; Premium enables artifact streaming for faster GPU cold starts.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Standard'

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('API keys that clients send in the x-api-key header, comma-separated (MiniGpt5__ApiKeys). Stored as a Container Apps secret; pass it on the command line, never in a parameters file.')
@secure()
param apiKeys string

@description('Where GPU workers get model weights: "image" (MiniGpt5__Model names a model the image carries, e.g. nano), "blob" (download from the models container into an on-replica cache, SHA-256 verified; fits in the 8 GiB ephemeral disk), or "azureFiles" (read-only share mount, for full-size checkpoints).')
@allowed([
  'image'
  'blob'
  'azureFiles'
])
param modelSource string = 'image'

@description('modelSource "image": the MiniGpt5__Model value for the workers (nano, or a folder path inside the image).')
param model string = 'nano'

@description('modelSource "blob" or "azureFiles": folder of the model under the models container or share, as uploaded by infra/scripts/upload-model.sh.')
param modelName string = ''

@description('modelSource "blob" or "azureFiles": SHA-256 of the model folder manifest (manifest.sha256) printed by upload-model.sh. Pins the exact model version.')
param modelSha256 string = ''

@description('modelSource "azureFiles": share size in GiB.')
@minValue(100)
param modelShareQuotaGiB int = 100

@description('modelSource "azureFiles": Premium_LRS (provisioned, faster model loads) or Standard_LRS.')
@allowed([
  'Premium_LRS'
  'Standard_LRS'
])
param modelShareSku string = 'Premium_LRS'

@description('Largest manuscript upload the API accepts, in bytes (MiniGpt5__MaxManuscriptBytes).')
@minValue(1024)
param maxManuscriptBytes int = 1048576

@description('Orchestrations one API replica runs at once (MiniGpt5__MaxConcurrentOrchestrations).')
@minValue(1)
param maxConcurrentOrchestrations int = 16

@description('CPU activities (parse, assemble) one API replica runs at once (MiniGpt5__MaxConcurrentActivities).')
@minValue(1)
param maxConcurrentActivities int = 4

@description('Tags applied to every resource.')
param tags object = {}

var resourceSuffix = uniqueString(resourceGroup().id)
var names = {
  storageAccount: 'st${resourceSuffix}'
  modelShareAccount: 'sm${resourceSuffix}'
  registry: 'cr${resourceSuffix}'
  identity: '${namePrefix}-id'
  logs: '${namePrefix}-logs'
  environment: '${namePrefix}-env'
  apiApp: '${namePrefix}-api'
  gpuWorker: '${namePrefix}-gpu-worker'
}

// Task hub storage names, derived from the hub name exactly as the durable runtime derives them from
// MiniGpt5__TaskHub. Everything that names a hub queue (storage, the KEDA rule) reads it from here.
var hub = {
  name: taskHubName
  controlQueues: map(range(0, partitionCount), i => '${taskHubName}-control-${padLeft(i, 2, '0')}')
  defaultActivityQueue: '${taskHubName}-activities-default'
  gpuActivityQueue: '${taskHubName}-activities-gpu'
}

// App containers (ARCHITECTURE.md "Blob layout") and the queue that blob-created events are delivered to
// for the Functions ingestion trigger (infra/functions/README.md).
var appStorage = {
  containers: [
    'manuscripts'
    'illustrated'
    'datasets'
    'models'
  ]
  uploadsQueue: 'manuscript-uploads'
}

var apiPort = 8080
var gpuProfileName = 'gpu'
// Serverless GPU replicas come in one size per GPU type; asking for anything else fails the deployment.
var t4Replica = {
  cpu: 8
  memory: '56Gi'
}
var a100Replica = {
  cpu: 24
  memory: '220Gi'
}
var gpuReplica = gpuProfileType == 'Consumption-GPU-NC8as-T4' ? t4Replica : a100Replica
var modelShareName = 'models'
var modelShareEnabled = modelSource == 'azureFiles'

module logs 'modules/logs.bicep' = {
  name: 'logs'
  params: {
    location: location
    name: names.logs
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    name: names.registry
    sku: registrySku
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storageAccount
    allowSharedKeyAccess: allowSharedKeyAccess
    queueNames: concat(hub.controlQueues, [
      hub.defaultActivityQueue
      hub.gpuActivityQueue
      appStorage.uploadsQueue
    ])
    containerNames: appStorage.containers
    tags: tags
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: names.identity
    storageAccountName: storage.outputs.name
    registryName: registry.outputs.name
    tags: tags
  }
}

module modelShare 'modules/modelShare.bicep' = if (modelShareEnabled) {
  name: 'model-share'
  params: {
    location: location
    name: names.modelShareAccount
    shareName: modelShareName
    quotaGiB: modelShareQuotaGiB
    sku: modelShareSku
    tags: tags
  }
}

module containerAppsEnvironment 'modules/environment.bicep' = {
  name: 'environment'
  params: {
    location: location
    name: names.environment
    logAnalyticsWorkspaceName: logs.outputs.name
    gpuProfileName: gpuProfileName
    gpuProfileType: gpuProfileType
    modelShareEnabled: modelShareEnabled
    modelShareAccountName: names.modelShareAccount
    modelShareName: modelShareName
    tags: tags
  }
  dependsOn: [
    modelShare
  ]
}

// Settings both apps share: storage by identity (the Functions "identity-based connection" shape, so the
// same names work in a Function App), and the task hub.
var sharedSettings = [
  {
    name: 'AZURE_CLIENT_ID'
    value: identity.outputs.clientId
  }
  {
    name: 'AzureWebJobsStorage__accountName'
    value: storage.outputs.name
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storage.outputs.blobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storage.outputs.queueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identity.outputs.clientId
  }
  {
    name: 'MiniGpt5__TaskHub'
    value: hub.name
  }
  {
    name: 'MiniGpt5__PartitionCount'
    value: string(partitionCount)
  }
]

var apiSettings = [
  {
    name: 'MiniGpt5__TaskQueues'
    value: 'default'
  }
  {
    name: 'MiniGpt5__Device'
    value: 'cpu'
  }
  {
    name: 'MiniGpt5__MaxConcurrentOrchestrations'
    value: string(maxConcurrentOrchestrations)
  }
  {
    name: 'MiniGpt5__MaxConcurrentActivities'
    value: string(maxConcurrentActivities)
  }
  {
    name: 'MiniGpt5__MaxManuscriptBytes'
    value: string(maxManuscriptBytes)
  }
]

var workerSettings = [
  {
    name: 'MiniGpt5__TaskQueues'
    value: 'gpu'
  }
  {
    name: 'MiniGpt5__Device'
    value: 'cuda'
  }
  {
    name: 'MiniGpt5__MaxConcurrentGpuActivities'
    value: '1'
  }
]

var blobModelSettings = [
  {
    name: 'MiniGpt5__ModelBlobUri'
    value: '${storage.outputs.blobEndpoint}models/${modelName}'
  }
  {
    name: 'MiniGpt5__ModelSha256'
    value: modelSha256
  }
  {
    name: 'MiniGpt5__ModelCacheDir'
    value: '/var/cache/minigpt5/models'
  }
]
var shareModelSettings = [
  {
    name: 'MiniGpt5__Model'
    value: '/models/${modelName}'
  }
  {
    name: 'MiniGpt5__ModelSha256'
    value: modelSha256
  }
]
var imageModelSettings = [
  {
    name: 'MiniGpt5__Model'
    value: model
  }
]
var modelSettings = modelSource == 'blob' ? blobModelSettings : (modelShareEnabled ? shareModelSettings : imageModelSettings)

module api 'modules/apiApp.bicep' = if (deployApps) {
  name: 'api'
  params: {
    location: location
    name: names.apiApp
    environmentId: containerAppsEnvironment.outputs.id
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: '${registry.outputs.loginServer}/minigpt5-api:${imageTag}'
    targetPort: apiPort
    environmentVariables: concat(sharedSettings, apiSettings)
    apiKeys: apiKeys
    minReplicas: apiMinReplicas
    maxReplicas: apiMaxReplicas
    concurrentRequestsPerReplica: 50
    tags: tags
  }
}

module gpuWorkerApp 'modules/gpuWorkerApp.bicep' = if (deployApps && !useJobsForGpuWorkers) {
  name: 'gpu-worker-app'
  params: {
    location: location
    name: names.gpuWorker
    environmentId: containerAppsEnvironment.outputs.id
    workloadProfileName: gpuProfileName
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: '${registry.outputs.loginServer}/minigpt5-worker:${imageTag}'
    cpu: gpuReplica.cpu
    memory: gpuReplica.memory
    environmentVariables: concat(sharedSettings, workerSettings, modelSettings)
    storageAccountName: storage.outputs.name
    queueName: hub.gpuActivityQueue
    queueLength: gpuQueueLength
    maxReplicas: gpuMaxReplicas
    pollingIntervalSeconds: scalePollingIntervalSeconds
    cooldownPeriodSeconds: scaleCooldownSeconds
    terminationGracePeriodSeconds: workerTerminationGracePeriodSeconds
    modelStorageName: containerAppsEnvironment.outputs.modelStorageName
    tags: tags
  }
}

module gpuWorkerJob 'modules/gpuWorkerJob.bicep' = if (deployApps && useJobsForGpuWorkers) {
  name: 'gpu-worker-job'
  params: {
    location: location
    name: names.gpuWorker
    environmentId: containerAppsEnvironment.outputs.id
    workloadProfileName: gpuProfileName
    identityId: identity.outputs.id
    registryServer: registry.outputs.loginServer
    image: '${registry.outputs.loginServer}/minigpt5-worker:${imageTag}'
    cpu: gpuReplica.cpu
    memory: gpuReplica.memory
    environmentVariables: concat(sharedSettings, workerSettings, modelSettings)
    storageAccountName: storage.outputs.name
    queueName: hub.gpuActivityQueue
    queueLength: gpuQueueLength
    maxExecutions: gpuMaxReplicas
    pollingIntervalSeconds: scalePollingIntervalSeconds
    replicaTimeoutSeconds: jobReplicaTimeoutSeconds
    exitWhenIdleSeconds: jobExitWhenIdleSeconds
    modelStorageName: containerAppsEnvironment.outputs.modelStorageName
    tags: tags
  }
}

@description('Base URL of the HTTP API (empty when deployApps is false).')
output apiUrl string = deployApps ? api!.outputs.url : ''

@description('Data storage account (task hub, manuscripts, illustrated books, models).')
output storageAccountName string = storage.outputs.name

@description('Registry to push minigpt5-api and minigpt5-worker to.')
output registryName string = registry.outputs.name

@description('Registry login server (image prefix).')
output registryLoginServer string = registry.outputs.loginServer

@description('Client id of the apps identity (AZURE_CLIENT_ID).')
output identityClientId string = identity.outputs.clientId

@description('Queue the GPU scale rule watches.')
output gpuActivityQueueName string = hub.gpuActivityQueue

@description('Model share account (modelSource azureFiles), for infra/scripts/upload-model.sh --share.')
output modelShareAccountName string = modelShareEnabled ? names.modelShareAccount : ''
