// GPU activity workers as a long-running, queue-scaled container app: `minigpt5 worker --task-queue gpu`
// on a serverless GPU profile. KEDA watches the task hub's gpu activity queue and runs about
// ceil(messages / queueLength) replicas, from zero (no GPU billed while idle) up to maxReplicas.
// The azure-queue scaler counts invisible (in-flight) messages too, and the worker keeps its message
// invisible while it works (visibility renewal), so a replica is not scaled in under a running step.

@description('Azure region of the app.')
param location string

@description('Container app name.')
param name string

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Name of the serverless GPU workload profile in the environment.')
param workloadProfileName string

@description('Resource id of the user-assigned identity the app runs as, pulls images with, and scales with.')
param identityId string

@description('Registry login server, e.g. crxxxx.azurecr.io.')
param registryServer string

@description('Full image reference of the worker image.')
param image string

@description('vCPUs per replica; must be the GPU profile replica size (8 for T4, 24 for A100).')
param cpu int

@description('Memory per replica; must be the GPU profile replica size (56Gi for T4, 220Gi for A100).')
param memory string

@description('Environment variables (name/value or name/secretRef) for the container.')
param environmentVariables array

@description('Storage account that holds the gpu activity queue (the scale rule reads it with the identity).')
param storageAccountName string

@description('Queue the scale rule watches: the task hub gpu activity queue.')
param queueName string

@description('Messages per replica the scaler aims for; 1 gives each GPU one step at a time.')
@minValue(1)
param queueLength int

@description('Most GPU replicas at once (bounded by your serverless GPU quota).')
@minValue(1)
param maxReplicas int

@description('Seconds between KEDA queue-length checks.')
@minValue(5)
param pollingIntervalSeconds int

@description('Seconds KEDA waits after the queue empties before scaling to zero.')
@minValue(0)
param cooldownPeriodSeconds int

@description('Seconds a stopping replica gets to hand back its message before it is killed.')
@minValue(0)
param terminationGracePeriodSeconds int

@description('Environment storage name of the model share, or empty for no share mount.')
param modelStorageName string

@description('Tags applied to the app.')
param tags object

// The model cache (blob download mode) lives on replica-scoped ephemeral storage; the share, when used,
// is mounted read-only at /models.
var cacheVolume = {
  name: 'model-cache'
  storageType: 'EmptyDir'
}
var shareVolume = {
  name: 'models'
  storageType: 'AzureFile'
  storageName: modelStorageName
}
var volumes = empty(modelStorageName) ? [cacheVolume] : [cacheVolume, shareVolume]
var cacheMount = {
  volumeName: 'model-cache'
  mountPath: '/var/cache/minigpt5'
}
var shareMount = {
  volumeName: 'models'
  mountPath: '/models'
}
var volumeMounts = empty(modelStorageName) ? [cacheMount] : [cacheMount, shareMount]

resource worker 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          // Only the first container of a replica sees the GPU.
          name: 'worker'
          image: image
          args: [
            'worker'
            '--task-queue'
            'gpu'
          ]
          resources: {
            cpu: cpu
            memory: memory
          }
          env: environmentVariables
          volumeMounts: volumeMounts
        }
      ]
      volumes: volumes
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        pollingInterval: pollingIntervalSeconds
        cooldownPeriod: cooldownPeriodSeconds
        rules: [
          {
            name: 'gpu-activity-queue'
            azureQueue: {
              accountName: storageAccountName
              queueName: queueName
              queueLength: queueLength
              identity: identityId
            }
          }
        ]
      }
    }
  }
}

output name string = worker.name
